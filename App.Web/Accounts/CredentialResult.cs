using App.Data.Accounts;

namespace App.Web.Accounts;

/// <summary>The outcome of checking a password or an API key.</summary>
public sealed record CredentialResult(User? User, TimeSpan? RefusedFor)
{
    public static readonly CredentialResult Wrong = new(null, null);

    public bool Succeeded => User is not null;

    /// <summary>Too many failures lately: refused without looking at the credential.</summary>
    public bool Throttled => RefusedFor is not null;
}
