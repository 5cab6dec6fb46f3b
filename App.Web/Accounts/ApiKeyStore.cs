using App.Data;
using App.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Accounts;

/// <summary>A key as its owner sees it after creation: never the key itself.</summary>
public sealed record ApiKeyResponse(long Id, string Name, DateTime CreatedAt, DateTime? LastUsedAt);

/// <summary>The answer to creating a key: the only time the key is shown.</summary>
public sealed record NewApiKeyResponse(long Id, string Name, string Key);

/// <summary>A user's API keys: created with a name and shown once, listed, revoked.</summary>
public sealed class ApiKeyStore(IDbContextFactory<AppDbContext> contexts, RecentSignIns recent, TimeProvider time)
{
    public const int MaxNameLength = 100;

    public const int MaxKeysPerUser = 100;

    /// <summary>A new key for the user, or why not.</summary>
    public async Task<(NewApiKeyResponse? Key, string? Problem)> CreateAsync(long userId, string? name, CancellationToken ct)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return (null, "Give the key a name, such as the app that will use it.");
        }
        if (name.Length > MaxNameLength)
        {
            return (null, $"A key's name has at most {MaxNameLength} characters.");
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.ApiKeys.CountAsync(k => k.UserId == userId, ct) >= MaxKeysPerUser)
        {
            return (null, $"You have {MaxKeysPerUser} keys already; revoke one you no longer use first.");
        }
        var secret = ApiKeySecret.Generate();
        var key = new ApiKey
        {
            UserId = userId,
            Name = name,
            KeyHash = ApiKeySecret.Hash(secret),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return (new NewApiKeyResponse(key.Id, key.Name, secret), null);
    }

    public async Task<List<ApiKeyResponse>> ListAsync(long userId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ApiKeys.Where(k => k.UserId == userId)
            .OrderBy(k => k.Id)
            .Select(k => new ApiKeyResponse(k.Id, k.Name, k.CreatedAt, k.LastUsedAt))
            .ToListAsync(ct);
    }

    /// <summary>False when the user has no such key.</summary>
    public async Task<bool> RevokeAsync(long userId, long keyId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var revoked = await db.ApiKeys.Where(k => k.Id == keyId && k.UserId == userId).ExecuteDeleteAsync(ct) == 1;
        recent.ForgetAll();
        return revoked;
    }
}
