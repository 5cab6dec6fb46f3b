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
    /// Does the work and finishes the run through <see cref="JobRun.CompleteAsync"/> or
    /// <see cref="JobRun.FailAsync"/> with the effects to commit alongside. Returning without
    /// finishing completes the job; an exception fails the attempt (retried with backoff).
    /// </summary>
    Task RunAsync(JobRun run, CancellationToken ct);
}
