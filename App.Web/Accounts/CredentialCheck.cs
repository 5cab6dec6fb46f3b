using System.Net;
using System.Security.Cryptography;
using System.Text;
using App.Data;
using App.Data.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace App.Web.Accounts;

/// <summary>The outcome of checking a password or an API key.</summary>
public sealed record CredentialResult(User? User, TimeSpan? RefusedFor)
{
    public static readonly CredentialResult Wrong = new(null, null);

    public bool Succeeded => User is not null;

    /// <summary>Too many failures lately: refused without looking at the credential.</summary>
    public bool Throttled => RefusedFor is not null;
}

/// <summary>
/// Checks a username and password (the sign-in form, Basic authentication) or an API key, under
/// <see cref="SignInThrottle"/>. A password verified once is trusted for a few minutes without
/// hashing it again, so that Basic authentication does not run the deliberately slow hash on every
/// request: the cache maps a keyed hash of (user, password) to the stored hash it was verified
/// against, so a changed password (a new stored hash) misses at once.
/// </summary>
public sealed class CredentialCheck(
    IDbContextFactory<AppDbContext> contexts,
    PasswordHasher<User> hasher,
    SignInThrottle throttle,
    IMemoryCache cache,
    TimeProvider time,
    IOptions<AuthOptions> options)
{
    // Writing "last used" on every request would make every API call a write: it is kept to the minute.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    // Per process: cache keys reveal nothing about passwords even in a memory dump of another process.
    private readonly byte[] _cacheKeySecret = RandomNumberGenerator.GetBytes(32);

    public async Task<CredentialResult> CheckPasswordAsync(string username, string password, IPAddress? client, CancellationToken ct)
    {
        if (throttle.IsRefused(username, client, out var retryAfter))
        {
            return new CredentialResult(null, retryAfter);
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, ct);
        if (user is { PasswordHash: { } hash } && Verify(user, hash, password))
        {
            return new CredentialResult(user, null);
        }
        throttle.CountFailure(username, client);
        return CredentialResult.Wrong;
    }

    public async Task<CredentialResult> CheckKeyAsync(string key, IPAddress? client, CancellationToken ct)
    {
        if (throttle.IsRefused(null, client, out var retryAfter))
        {
            return new CredentialResult(null, retryAfter);
        }
        var keyHash = ApiKeySecret.Hash(key);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var found = await db.ApiKeys.Where(k => k.KeyHash == keyHash)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { k.Id, k.LastUsedAt, User = u })
            .AsNoTracking()
            .FirstOrDefaultAsync(ct);
        if (found is null)
        {
            throttle.CountFailure(null, client);
            return CredentialResult.Wrong;
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (found.LastUsedAt is not { } last || now - last >= LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }
        return new CredentialResult(found.User, null);
    }

    /// <summary>Verifies without the throttle or the cache: for a person confirming their own password.</summary>
    public bool VerifyUncached(User user, string password) =>
        user.PasswordHash is { } hash && hasher.VerifyHashedPassword(user, hash, password) != PasswordVerificationResult.Failed;

    private bool Verify(User user, string hash, string password)
    {
        var key = CacheKey(user.Id, password);
        if (cache.TryGetValue(key, out string? verifiedAgainst) && verifiedAgainst == hash)
        {
            return true;
        }
        if (hasher.VerifyHashedPassword(user, hash, password) == PasswordVerificationResult.Failed)
        {
            return false;
        }
        var duration = options.Value.VerifiedPasswordCacheDuration;
        if (duration > TimeSpan.Zero)
        {
            cache.Set(key, hash, duration);
        }
        return true;
    }

    private string CacheKey(long userId, string password) =>
        "verified-password:" + Convert.ToHexString(HMACSHA256.HashData(_cacheKeySecret, Encoding.UTF8.GetBytes($"{userId}\n{password}")));
}
