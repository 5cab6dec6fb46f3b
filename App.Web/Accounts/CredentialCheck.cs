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

/// <summary>
/// Checks a username and password (the sign-in form, Basic authentication) or an API key, under
/// <see cref="SignInThrottle"/>. Basic authentication must not run the deliberately slow hash on
/// every request: a credential that succeeded is remembered (<see cref="RecentSignIns"/>, keyed by
/// a keyed hash of it), and a password verified once is trusted for a few minutes against the stored
/// hash it was verified with, so a changed password (a new stored hash) is never accepted.
/// </summary>
public sealed class CredentialCheck(
    IDbContextFactory<AppDbContext> contexts,
    AccountReads reads,
    RecentSignIns recent,
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

    /// <summary>
    /// A username and password. <paramref name="remember"/>: Basic authentication, sent with every
    /// request (the sign-in form checks the account each time, it runs once a session).
    /// </summary>
    public CredentialResult CheckPassword(string username, string password, IPAddress? client, bool remember = false)
    {
        if (throttle.IsRefused(username, client, out var retryAfter))
        {
            return new CredentialResult(null, retryAfter);
        }
        var remembered = remember ? "basic:" + Keyed($"{username}\n{password}") : null;
        if (remembered is not null && recent.TryGet<User>(remembered, out var known))
        {
            return new CredentialResult(known, null);
        }
        var user = reads.UserByName(username);
        if (user is { PasswordHash: { } hash } && Verify(user, hash, password))
        {
            if (remembered is not null)
            {
                recent.Remember(remembered, user);
            }
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
        var hash = ApiKeySecret.Hash(key);
        if (!recent.TryGet<KeyUse>("key:" + hash, out var use))
        {
            if (reads.KeyOwner(hash) is not { } found)
            {
                throttle.CountFailure(null, client);
                return CredentialResult.Wrong;
            }
            use = new KeyUse(found);
            recent.Remember("key:" + hash, use);
        }
        return await UseAsync(use!, ct);
    }

    /// <summary>
    /// Google Reader's ClientLogin: a username with one of that user's API keys, never the sign-in
    /// password (a phone app keeps what it is given). The key of the returned <see cref="KeyOwner"/>
    /// is the one the token is issued for.
    /// </summary>
    public async Task<(CredentialResult Result, KeyOwner? Key)> CheckKeyOfUserAsync(
        string username, string key, IPAddress? client, CancellationToken ct)
    {
        if (throttle.IsRefused(username, client, out var retryAfter))
        {
            return (new CredentialResult(null, retryAfter), null);
        }
        if (reads.KeyOwner(ApiKeySecret.Hash(key)) is not { } found
            || !string.Equals(found.User.Username, username, StringComparison.OrdinalIgnoreCase))
        {
            throttle.CountFailure(username, client);
            return (CredentialResult.Wrong, null);
        }
        return (await UseAsync(new KeyUse(found), ct), found);
    }

    /// <summary>A Google Reader auth token (see <see cref="ReaderTokens"/>).</summary>
    public async Task<CredentialResult> CheckReaderTokenAsync(string token, IPAddress? client, CancellationToken ct)
    {
        if (throttle.IsRefused(null, client, out var retryAfter))
        {
            return new CredentialResult(null, retryAfter);
        }
        var remembered = "reader:" + Keyed(token);
        if (!recent.TryGet<KeyUse>(remembered, out var use))
        {
            if (ReaderTokens.KeyId(token) is not { } keyId
                || reads.KeyOwner(keyId) is not { } found
                || !ReaderTokens.Matches(token, found.User.Username, found.KeyId, found.KeyHash))
            {
                throttle.CountFailure(null, client);
                return CredentialResult.Wrong;
            }
            use = new KeyUse(found);
            recent.Remember(remembered, use);
        }
        return await UseAsync(use!, ct);
    }

    private async Task<CredentialResult> UseAsync(KeyUse use, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (use.TakeWriteOfLastUse(now))
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await db.ApiKeys.Where(k => k.Id == use.KeyId).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }
        return new CredentialResult(use.User, null);
    }

    /// <summary>The user of a session cookie's user id, remembered like other credentials; null when deleted.</summary>
    public User? SessionUser(long userId)
    {
        var key = "session:" + userId;
        if (recent.TryGet<User>(key, out var known))
        {
            return known;
        }
        var user = reads.UserById(userId);
        if (user is not null)
        {
            recent.Remember(key, user);
        }
        return user;
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

    private string CacheKey(long userId, string password) => "verified-password:" + Keyed($"{userId}\n{password}");

    private string Keyed(string secret) => Convert.ToHexString(HMACSHA256.HashData(_cacheKeySecret, Encoding.UTF8.GetBytes(secret)));

    /// <summary>A key in use: whose it is, and when its "last used" was last written.</summary>
    private sealed class KeyUse(KeyOwner key)
    {
        private long _lastUsedTicks = key.LastUsedAt?.Ticks ?? 0;

        public long KeyId { get; } = key.KeyId;

        public User User { get; } = key.User;

        /// <summary>True for the one request that should write "last used" now (at most once a minute).</summary>
        public bool TakeWriteOfLastUse(DateTime now)
        {
            var last = Interlocked.Read(ref _lastUsedTicks);
            return now.Ticks - last >= LastUsedResolution.Ticks
                && Interlocked.CompareExchange(ref _lastUsedTicks, now.Ticks, last) == last;
        }
    }
}
