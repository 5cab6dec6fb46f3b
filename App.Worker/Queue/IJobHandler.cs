using App.Data.Queue;

namespace App.Worker.Queue;

/// <summary>Runs jobs of one <see cref="Type"/>.</summary>
public interface IJobHandler
{
    /// <summary>The job type this handler runs, e.g. "fetch-feed".</summary>
    string Type { get; }

    /// <summary>
    /// How long one attempt may run. Past it the attempt is cancelled through its token and
    /// recorded as a failed attempt "Timed out after N s" (retried while attempts remain).
    /// </summary>
    TimeSpan Timeout { get; }

    /// <summary>
    /// How many jobs of this type one worker runs at once, in slots of the type's own; null (the
    /// default) for <see cref="QueueOptions.Concurrency"/>. Jobs that wait on the network (a feed's
    /// fetch) want many more than jobs that use the CPU or the write lock.
    /// </summary>
    int? Concurrency => null;

    /// <summary>
    /// Does the work and finishes the run through <see cref="JobRun.CompleteAsync"/> or
    /// <see cref="JobRun.FailAsync"/> with the effects to commit alongside. Returning without
    /// finishing completes the job; an exception fails the attempt (retried with backoff).
    /// </summary>
    Task RunAsync(JobRun run, CancellationToken ct);

    /// <summary>
    /// Runs once when the worker starts, before it claims: what the handler's completion runs
    /// while it holds SQLite's write lock is compiled here (EF Core's translation of its queries,
    /// the JIT), so that the first job does not hold every other process's writes for it.
    /// </summary>
    Task WarmUpAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Effects to commit with a failed attempt that the runner records for the handler: it threw,
    /// timed out, or its own outcome could not be written. What the handler keeps beside the job
    /// (a feed's last error and schedule) then says so too. None by default.
    /// </summary>
    JobQueue.FailEffects? FailureEffects(JobRun run, string error) => null;
}
