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

    /// <summary>What the written outcome was; null until one was written.</summary>
    public JobOutcome? Outcome { get; private set; }

    /// <summary>The error of a failed attempt, as recorded on the job.</summary>
    public string? Error { get; private set; }

    /// <summary>A failed attempt's reason as a short name for metrics (http_404, blocked_address, not_a_feed, timeout, …).</summary>
    public string? FailureReason { get; private set; }

    /// <summary>Completes the job, committing <paramref name="effects"/> in the same transaction. False: the lease was lost and nothing was written.</summary>
    public async Task<bool> CompleteAsync(JobQueue.Effects? effects, CancellationToken ct)
    {
        // Nothing else to commit: the completion can share a transaction with other jobs'.
        var won = effects is null && completions is not null
            ? await completions.CompleteAsync(job.Lease)
            : await queue.CompleteAsync(job.Lease, effects, ct);
        Finished = true;
        Outcome = won ? JobOutcome.Succeeded : JobOutcome.LeaseLost;
        return won;
    }

    /// <summary>
    /// Fails the attempt with a readable <paramref name="error"/>, committing <paramref name="effects"/> with it;
    /// <paramref name="reason"/> names the kind of failure in metrics (default "error").
    /// </summary>
    public async Task<FailOutcome> FailAsync(
        string error, bool retryable, JobQueue.FailEffects? effects, CancellationToken ct, DateTime? retryNotBefore = null, string? reason = null)
    {
        var outcome = await queue.FailAsync(job.Lease, error, retryable, effects, retryNotBefore, ct);
        Finished = true;
        Error = error;
        FailureReason = reason ?? "error";
        Outcome = outcome switch
        {
            FailOutcome.WillRetry => JobOutcome.Retried,
            FailOutcome.Failed => JobOutcome.Failed,
            _ => JobOutcome.LeaseLost,
        };
        return outcome;
    }
}
