using System.Security.Cryptography;
using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Data.Writes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Accounts;

/// <summary>Creating, changing and deleting users: the rules, the password hash and the security stamp in one place.</summary>
public sealed class UserAccounts(
    IDbContextFactory<AppDbContext> contexts,
    WriteLane lane,
    PasswordHasher<User> hasher,
    CredentialCheck credentials,
    RecentSignIns recent,
    TimeProvider time)
{
    /// <summary>
    /// A new user. <paramref name="enforcePasswordRules"/> is false only for the administrator an
    /// operator configured, whose password is theirs to choose.
    /// </summary>
    public async Task<AccountChange> CreateAsync(
        string? username, string? password, bool isAdmin, CancellationToken ct, bool enforcePasswordRules = true)
    {
        username = username?.Trim();
        if (AccountRules.UsernameProblem(username) is { } nameProblem)
        {
            return AccountChange.Refused(nameProblem);
        }
        if (enforcePasswordRules && AccountRules.PasswordProblem(password, username) is { } passwordProblem)
        {
            return AccountChange.Refused(passwordProblem);
        }
        if (string.IsNullOrEmpty(password))
        {
            return AccountChange.Refused("Enter a password.");
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Users.AnyAsync(u => u.Username == username, ct))
        {
            return Taken(username!);
        }
        var user = new User
        {
            Username = username!,
            IsAdmin = isAdmin,
            SecurityStamp = NewStamp(),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            return Taken(username!);
        }
        return new AccountChange(user, null);
    }

    /// <summary>
    /// Sets a user's password (by an administrator, or at start for the first one); every session
    /// of theirs ends. Null when done, else why not.
    /// </summary>
    public async Task<string?> SetPasswordAsync(long userId, string? password, CancellationToken ct, bool enforcePasswordRules = true)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct) is not { } user)
        {
            return "There is no such user.";
        }
        if (enforcePasswordRules && AccountRules.PasswordProblem(password, user.Username) is { } problem)
        {
            return problem;
        }
        if (string.IsNullOrEmpty(password))
        {
            return "Enter a password.";
        }
        user.PasswordHash = hasher.HashPassword(user, password);
        user.SecurityStamp = NewStamp();
        await db.SaveChangesAsync(ct);
        recent.ForgetAll();
        return null;
    }

    /// <summary>A user changing their own password, confirming the current one. Null when done, else why not.</summary>
    public async Task<string?> ChangeOwnPasswordAsync(long userId, string? current, string? password, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct) is not { } user)
        {
            return "There is no such user.";
        }
        if (current is null || !credentials.VerifyUncached(user, current))
        {
            return "The current password is not right.";
        }
        return await SetPasswordAsync(userId, password, ct);
    }

    /// <summary>
    /// Deletes the user with their subscriptions, marks, keys and imports; feeds nobody else
    /// subscribes to go too. False when there is no such user.
    /// </summary>
    public async Task<bool> DeleteAsync(long userId, CancellationToken ct)
    {
        var deleted = await lane.InWriteTransactionAsync(c => SubscriptionWrites.DeleteUser(c, userId), ct);
        recent.ForgetAll();
        return deleted;
    }

    private static AccountChange Taken(string username) =>
        new(null, $"The username “{username}” is taken.", Conflict: true);

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
