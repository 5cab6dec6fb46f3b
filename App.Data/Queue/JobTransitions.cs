namespace App.Data.Queue;

/// <summary>
/// Every state change the queue can make, declared once. Each statement of <see cref="JobSql"/>
/// and each write of <see cref="JobQueue"/> takes its source and target states from here, so a
/// row that moved on in the meantime is left alone (JobTransitionsTests runs every statement
/// against a job in every state).
/// </summary>
public static class JobTransitions
{
    /// <summary>A due pending job is taken by a worker.</summary>
    public static readonly JobTransition Claim = new("claim", [JobState.Pending], JobState.Running);

    /// <summary>A running job whose lease expired (its worker died) is taken by another worker.</summary>
    public static readonly JobTransition Rescue = new("rescue", [JobState.Running], JobState.Running);

    /// <summary>A rescued job that has no attempts left is given up.</summary>
    public static readonly JobTransition Abandon = new("abandon", [JobState.Running], JobState.Failed);

    /// <summary>The handler finished.</summary>
    public static readonly JobTransition Complete = new("complete", [JobState.Running], JobState.Succeeded);

    /// <summary>The handler failed and attempts remain: back to pending, due after a backoff.</summary>
    public static readonly JobTransition FailAndRetry = new("fail-and-retry", [JobState.Running], JobState.Pending);

    /// <summary>The handler failed for the last time, or with a permanent error.</summary>
    public static readonly JobTransition Fail = new("fail", [JobState.Running], JobState.Failed);

    /// <summary>The worker is stopping: the job goes back without spending an attempt.</summary>
    public static readonly JobTransition Release = new("release", [JobState.Running], JobState.Pending);

    /// <summary>The worker still holds the job: its lease is extended, its state unchanged.</summary>
    public static readonly JobTransition Renew = new("renew", [JobState.Running], JobState.Running);

    /// <summary>A user gives a pending job up.</summary>
    public static readonly JobTransition Cancel = new("cancel", [JobState.Pending], JobState.Cancelled);

    /// <summary>A user tries a finished-unsuccessfully job again, with a fresh set of attempts.</summary>
    public static readonly JobTransition Retry = new("retry", [JobState.Failed, JobState.Cancelled], JobState.Pending);

    public static IReadOnlyList<JobTransition> All { get; } =
        [Claim, Rescue, Abandon, Complete, FailAndRetry, Fail, Release, Renew, Cancel, Retry];

    /// <summary>Whether any transition leads from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowed(JobState from, JobState to) =>
        All.Any(t => t.To == to && t.From.Contains(from));

    /// <summary>The state every job is created in.</summary>
    public const JobState Created = JobState.Pending;

    /// <summary>
    /// States in which a job still has work ahead: at most one live job holds a unique key (a feed
    /// has at most one live fetch), and the partial unique index is defined by these.
    /// </summary>
    public static readonly JobState[] Live = [JobState.Pending, JobState.Running];
}
