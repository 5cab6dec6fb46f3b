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

    /// <summary>How long a password verified for Basic authentication is trusted without hashing it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan VerifiedPasswordCacheDuration { get; set; } = TimeSpan.FromMinutes(5);
}
