using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace App.Web.Accounts;

/// <summary>
/// The Google Reader API's auth token (<c>Authorization: GoogleLogin auth=…</c>), issued by
/// ClientLogin for an API key: <c>{username}/{keyId}-{mac}</c>, the mac being an HMAC-SHA256 of
/// the key's stored hash. It stands for the key: revoking the key ends it, and no table of
/// sessions is needed. It also serves as the action token (<c>T</c>).
/// </summary>
public static class ReaderTokens
{
    private const int MacLength = 40;

    public static string Issue(string username, long keyId, string keyHash) =>
        $"{username}/{keyId.ToString(CultureInfo.InvariantCulture)}-{Mac(keyHash)}";

    /// <summary>The key id a token names, if it has the token's shape.</summary>
    public static long? KeyId(string token)
    {
        var slash = token.LastIndexOf('/');
        var dash = token.LastIndexOf('-');
        return slash > 0 && dash > slash
            && long.TryParse(token.AsSpan(slash + 1, dash - slash - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
    }

    /// <summary>Whether <paramref name="token"/> is the one issued for this user and key.</summary>
    public static bool Matches(string token, string username, long keyId, string keyHash) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(Issue(username, keyId, keyHash)));

    private static string Mac(string keyHash) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(keyHash), "google-reader"u8))[..MacLength];
}
