using System.ComponentModel.DataAnnotations;

namespace App.Web.Accounts;

/// <summary>Settings under <c>Auth</c>: the first administrator and the throttling of failed sign-ins.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>With <see cref="AdminPassword"/>: an administrator created at start when no user has this name.</summary>
    public string? AdminUsername { get; set; }

    public string? AdminPassword { get; set; }

    /// <summary>Failed sign-ins for one username within <see cref="FailedSignInWindow"/> before it is refused for a while.</summary>
    [Range(1, 100_000)]
    public int FailedSignInsPerUsername { get; set; } = 10;

    /// <summary>Failed sign-ins (passwords and API keys) from one client address within the window.</summary>
    [Range(1, 100_000)]
    public int FailedSignInsPerAddress { get; set; } = 50;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedSignInWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a credential that succeeded (Basic, an API key, a session) is trusted without reading
    /// its account again. Changes made through this process apply at once; another web process on
    /// the same database sees them within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SignInCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a password verified for Basic authentication is trusted without hashing it again,
    /// as long as the stored hash is the one it was verified against.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan VerifiedPasswordCacheDuration { get; set; } = TimeSpan.FromMinutes(5);
}
