using System.Security.Cryptography;
using System.Text;

namespace App.Web.Accounts;

/// <summary>How API keys are made and stored: 32 random characters, kept only as their SHA-256.</summary>
public static class ApiKeySecret
{
    /// <summary>A new key: 24 random bytes as URL-safe base64 (192 bits; easy to paste into an app's settings).</summary>
    public static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>Lowercase hex SHA-256: a key is random enough that a fast hash cannot be reversed by guessing.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
