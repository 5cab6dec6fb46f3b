namespace App.Data.Queue;

/// <summary>
/// What <see cref="JobQueue.CompleteAndClaim"/> committed: per completed lease whether it won, the
/// jobs claimed, and how long the transaction held the write lock (zero when it wrote nothing).
/// </summary>
public sealed record CompleteAndClaimResult(bool[] Completed, IReadOnlyList<ClaimedJob> Claimed, TimeSpan LockHeld);
