namespace App.Data.Queue;

/// <summary>What <see cref="JobQueue.FailAsync"/> did.</summary>
public enum FailOutcome
{
    /// <summary>The lease was lost: another worker owns the job now, nothing was written.</summary>
    LeaseLost,

    /// <summary>The job is pending again, due after a backoff.</summary>
    WillRetry,

    /// <summary>The job is failed for good.</summary>
    Failed,
}
