using App.Data.Queue;

namespace App.Worker.Queue;

/// <summary>One attempt at a claimed job, as its handler sees it: the job, and the two ways to finish it.</summary>
public sealed class JobRun(ClaimedJob job, JobQueue queue, ClaimLoop? completions = null)
{
    public ClaimedJob Job => job;

    /// <summary>
    /// Whether the handler's outcome was written (or refused because the lease was lost). Set only
    /// once the write returned: a write that throws (a unique index, a full disk, a busy database)
    /// leaves the outcome to the runner, which records that error instead of leaving the job
    /// running until its lease expires.
    /// </summary>
    public bool Finished { get; private set; }

    /// <summary>Completes the job, committing <paramref name="effects"/> in the same transaction. False: the lease was lost and nothing was written.</summary>
    public async Task<bool> CompleteAsync(JobQueue.Effects? effects, CancellationToken ct)
    {
        // Nothing else to commit: the completion can share a transaction with other jobs'.
        var won = effects is null && completions is not null
            ? await completions.CompleteAsync(job.Lease)
            : await queue.CompleteAsync(job.Lease, effects, ct);
        Finished = true;
        return won;
    }

    /// <summary>Fails the attempt with a readable <paramref name="error"/>, committing <paramref name="effects"/> with it.</summary>
    public async Task<FailOutcome> FailAsync(
        string error, bool retryable, JobQueue.FailEffects? effects, CancellationToken ct, DateTime? retryNotBefore = null)
    {
        var outcome = await queue.FailAsync(job.Lease, error, retryable, effects, retryNotBefore, ct);
        Finished = true;
        return outcome;
    }
}
