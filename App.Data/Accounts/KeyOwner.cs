namespace App.Data.Accounts;

/// <summary>A user with the API key a request came with.</summary>
public sealed record KeyOwner(long KeyId, string KeyHash, DateTime? LastUsedAt, User User);
