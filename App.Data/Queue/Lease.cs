namespace App.Data.Queue;

/// <summary>
/// What a claim hands its worker: the fencing token for every later write (renew, complete,
/// fail, release). A write succeeds only while the row still has this id, version and owner and
/// is running; once another worker rescued the job, the version differs and the write is a no-op.
/// </summary>
public sealed record Lease(long JobId, long Version, string Owner);

/// <summary>A job taken by a worker, with what its handler needs.</summary>
public sealed record ClaimedJob(
    Lease Lease,
    string Type,
    string Payload,
    long? FeedId,
    int Attempt,
    int MaxAttempts,
    DateTime LeaseExpiresAt);

/// <summary>
/// What <see cref="JobQueue.CompleteAndClaim"/> committed: per completed lease whether it won, the
/// jobs claimed, and how long the transaction held the write lock (zero when it wrote nothing).
/// </summary>
public sealed record CompleteAndClaimResult(bool[] Completed, IReadOnlyList<ClaimedJob> Claimed, TimeSpan LockHeld);
