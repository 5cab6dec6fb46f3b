namespace App.Worker.Queue;

/// <summary>
/// What the runner logs about a job: a scope with its id, type, attempt and feed around everything
/// logged while it runs (the handler's lines included), and one line when it finishes with its
/// outcome and duration. Source-generated, so a disabled level costs a flag check and no boxing:
/// the queue runs tens of thousands of short jobs a second.
/// </summary>
public static partial class JobLog
{
    private static readonly Func<ILogger, long, string, int, long?, IDisposable?> JobScope =
        LoggerMessage.DefineScope<long, string, int, long?>("job {JobId} {JobType} attempt {Attempt} feed {FeedId}");

    /// <summary>Every line logged inside carries the job's id, type, attempt and feed (as JSON properties with the json console formatter).</summary>
    public static IDisposable? Scope(ILogger log, App.Data.Queue.ClaimedJob job) =>
        JobScope(log, job.Lease.JobId, job.Type, job.Attempt, job.FeedId);

    /// <summary>The one line per finished attempt: Information when it went as planned, Warning with the reason when not.</summary>
    public static void Finished(ILogger log, App.Data.Queue.ClaimedJob job, JobOutcome outcome, TimeSpan duration, string? error)
    {
        var ms = Math.Round(duration.TotalMilliseconds, 1);
        if (outcome is JobOutcome.Succeeded or JobOutcome.Released)
        {
            Done(log, job.Lease.JobId, job.Type, outcome.ToName(), ms);
        }
        else
        {
            NotDone(log, job.Lease.JobId, job.Type, job.Attempt, job.MaxAttempts, outcome.ToName(), ms, error ?? "no error recorded");
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Job {JobId} ({JobType}) {Outcome} in {DurationMs} ms")]
    private static partial void Done(ILogger log, long jobId, string jobType, string outcome, double durationMs);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "Job {JobId} ({JobType}) attempt {Attempt} of {MaxAttempts} {Outcome} in {DurationMs} ms: {Error}")]
    private static partial void NotDone(
        ILogger log, long jobId, string jobType, int attempt, int maxAttempts, string outcome, double durationMs, string error);
}
