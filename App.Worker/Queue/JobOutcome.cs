namespace App.Worker.Queue;

/// <summary>How one attempt at a job ended, as the runner logs and counts it.</summary>
public enum JobOutcome
{
    /// <summary>Nothing was recorded: writing the outcome failed, and the job is rescued when its lease expires.</summary>
    Unrecorded,

    Succeeded,

    /// <summary>The attempt failed and the job is pending again, after a backoff.</summary>
    Retried,

    /// <summary>The job failed for good.</summary>
    Failed,

    /// <summary>Another worker holds the job now: nothing this attempt wrote counts.</summary>
    LeaseLost,

    /// <summary>
    /// Handed back without spending the attempt: the worker stopped, or a full disk kept the
    /// outcome from being stored (the disk is logged on its own, once a minute).
    /// </summary>
    Released,
}

/// <summary>The names outcomes have in logs and metrics.</summary>
public static class JobOutcomeNames
{
    public static string ToName(this JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => "succeeded",
        JobOutcome.Retried => "retried",
        JobOutcome.Failed => "failed",
        JobOutcome.LeaseLost => "lease_lost",
        JobOutcome.Released => "released",
        _ => "unrecorded",
    };
}
