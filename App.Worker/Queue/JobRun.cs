using App.Data.Queue;

namespace App.Worker.Queue;

/// <summary>One attempt at a claimed job, as its handler sees it: the job, and the two ways to finish it.</summary>
public sealed class JobRun(ClaimedJob job, JobQueue queue, ClaimLoop? completions = null)
{
    public ClaimedJob Job => job;

    /// <summary>Whether the handler already recorded the outcome.</summary>
    public bool Finished { get; private set; }

    /// <summary>Completes the job, committing <paramref name="effects"/> in the same transaction. False: the lease was lost and nothing was written.</summary>
    public async Task<bool> CompleteAsync(JobQueue.Effects? effects, CancellationToken ct)
    {
        Finished = true;
        // Nothing else to commit: the completion can share a transaction with other jobs'.
        return effects is null && completions is not null
            ? await completions.CompleteAsync(job.Lease)
            : await queue.CompleteAsync(job.Lease, effects, ct);
    }

    /// <summary>Fails the attempt with a readable <paramref name="error"/>, committing <paramref name="effects"/> with it.</summary>
    public async Task<FailOutcome> FailAsync(
        string error, bool retryable, JobQueue.FailEffects? effects, CancellationToken ct, DateTime? retryNotBefore = null)
    {
        Finished = true;
        return await queue.FailAsync(job.Lease, error, retryable, effects, retryNotBefore, ct);
    }
}
