namespace App.Data.Queue;

/// <summary>A job taken by a worker, with what its handler needs.</summary>
public sealed record ClaimedJob(
    Lease Lease,
    string Type,
    string Payload,
    long? FeedId,
    int Attempt,
    int MaxAttempts,
    DateTime LeaseExpiresAt);
