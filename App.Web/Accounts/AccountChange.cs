using App.Data.Accounts;

namespace App.Web.Accounts;

/// <summary>The outcome of a change to an account: the user, or why not (<see cref="Conflict"/>: the name is taken).</summary>
public sealed record AccountChange(User? User, string? Problem, bool Conflict = false)
{
    public static AccountChange Refused(string problem) => new(null, problem);
}
