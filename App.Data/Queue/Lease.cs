namespace App.Data.Queue;

/// <summary>
/// What a claim hands its worker: the fencing token for every later write (renew, complete,
/// fail, release). A write succeeds only while the row still has this id, version and owner and
/// is running; once another worker rescued the job, the version differs and the write is a no-op.
/// </summary>
public sealed record Lease(long JobId, long Version, string Owner);
