using System.Security.Cryptography;
using App.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Web.Accounts;

/// <summary>
/// Makes sure, at start, that someone can sign in: there is never a page where a visitor from the
/// network could claim the install. <c>Auth:AdminUsername</c> and <c>Auth:AdminPassword</c> create
/// that administrator when no user has the name (an existing user is left as it is, unless no
/// password was ever set for it). Without them, an install with no administrator who can sign in
/// gets one: <c>admin</c> with a generated password, printed once on the console.
/// </summary>
public static class FirstAdministrator
{
    public const string DefaultUsername = "admin";

    public static async Task EnsureAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var options = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var accounts = services.GetRequiredService<UserAccounts>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FirstAdministrator));
        var contexts = services.GetRequiredService<IDbContextFactory<AppDbContext>>();

        if (options.AdminUsername is { Length: > 0 } name && options.AdminPassword is { Length: > 0 } password)
        {
            if (AccountRules.PasswordProblem(password, name) is { } weak)
            {
                log.LogWarning("Auth:AdminPassword is weak ({Problem}) and is used as configured.", weak);
            }
            await SetUpAsync(contexts, accounts, name, password, log, ct);
        }
        else if (options.AdminUsername is { Length: > 0 } || options.AdminPassword is { Length: > 0 })
        {
            log.LogWarning("Only one of Auth:AdminUsername and Auth:AdminPassword is set; both are needed to create an administrator.");
        }

        string username;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            if (await db.Users.AnyAsync(u => u.IsAdmin && u.PasswordHash != null, ct))
            {
                return;
            }
            // The account the accounts migration made for an existing install's feeds, if any, else a free name.
            username = await db.Users.Where(u => u.IsAdmin && u.PasswordHash == null).Select(u => u.Username).FirstOrDefaultAsync(ct)
                ?? (await db.Users.AnyAsync(u => u.Username == DefaultUsername, ct)
                    ? $"{DefaultUsername}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}"
                    : DefaultUsername);
        }
        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');
        await SetUpAsync(contexts, accounts, username, generated, log, ct);
        // On the console only, never in a log that may be kept or shipped elsewhere.
        Console.WriteLine($"""

            ================================================================
             First sign-in: username "{username}", password "{generated}"
             Shown only this once. Change it under Settings after signing in.
            ================================================================

            """);
    }

    private static async Task SetUpAsync(
        IDbContextFactory<AppDbContext> contexts, UserAccounts accounts, string name, string password, ILogger log, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var existing = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == name, ct);
        if (existing is null)
        {
            var created = await accounts.CreateAsync(name, password, isAdmin: true, ct, enforcePasswordRules: false);
            if (created.User is null)
            {
                throw new InvalidOperationException($"The administrator '{name}' could not be created: {created.Problem}");
            }
            log.LogInformation("Created the administrator {Username}", name);
        }
        else if (existing.PasswordHash is null)
        {
            // An account without a password was made by the migration that brought accounts, for the
            // feeds of an install that had none; it becomes usable now.
            await db.Users.Where(u => u.Id == existing.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsAdmin, true), ct);
            await accounts.SetPasswordAsync(existing.Id, password, ct, enforcePasswordRules: false);
            log.LogInformation("Set the password of the administrator {Username}", name);
        }
    }
}
