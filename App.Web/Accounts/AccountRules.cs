using System.Text.RegularExpressions;

namespace App.Web.Accounts;

/// <summary>What makes a username or a password acceptable, with the sentence that says why not.</summary>
public static partial class AccountRules
{
    public const int MinPasswordLength = 8;

    // Long enough for any passphrase, short enough that hashing it costs nothing unusual.
    public const int MaxPasswordLength = 1024;

    public const int MaxUsernameLength = 64;

    // The passwords tried first by anyone guessing; all are at least MinPasswordLength long.
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password123", "12345678", "123456789", "1234567890", "87654321",
        "qwertyuiop", "qwerty123", "11111111", "00000000", "iloveyou", "sunshine", "princess",
        "football", "baseball", "welcome1", "letmein1", "admin123", "administrator", "changeme",
        "abcdefgh", "abc12345", "passw0rd", "trustno1", "superman", "1q2w3e4r", "zaq12wsx",
    };

    /// <summary>Null when <paramref name="username"/> is acceptable, else why not.</summary>
    public static string? UsernameProblem(string? username)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            return "Enter a username.";
        }
        if (username.Length > MaxUsernameLength)
        {
            return $"A username has at most {MaxUsernameLength} characters.";
        }
        return UsernameCharacters().IsMatch(username)
            ? null
            : "A username may hold letters, digits and . _ - @ only.";
    }

    /// <summary>Null when <paramref name="password"/> is acceptable for <paramref name="username"/>, else why not.</summary>
    public static string? PasswordProblem(string? password, string? username)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
        {
            return $"A password needs at least {MinPasswordLength} characters.";
        }
        if (password.Length > MaxPasswordLength)
        {
            return $"A password has at most {MaxPasswordLength} characters.";
        }
        if (string.Equals(password, username, StringComparison.OrdinalIgnoreCase)
            || password.Distinct().Count() < 3
            || Common.Contains(password))
        {
            return "This password is too easy to guess; choose a longer or less common one.";
        }
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]+$")]
    private static partial Regex UsernameCharacters();
}
