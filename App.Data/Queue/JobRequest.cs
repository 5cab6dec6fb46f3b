namespace App.Data.Queue;

/// <summary>What a caller asks the queue to run.</summary>
public sealed record JobRequest(string Type, string Payload = "{}")
{
    /// <summary>See <see cref="Job.UniqueKey"/>.</summary>
    public string? UniqueKey { get; init; }

    public long? FeedId { get; init; }

    /// <summary>The <see cref="JobBatch"/> this job belongs to, if any.</summary>
    public long? BatchId { get; init; }

    /// <summary>Higher runs first; user-initiated work uses <see cref="JobPriority.User"/>.</summary>
    public int Priority { get; init; } = JobPriority.Background;

    /// <summary>Not before this time (UTC); now when null.</summary>
    public DateTime? RunAt { get; init; }

    /// <summary>Attempts before the job fails; <see cref="QueueOptions.MaxAttempts"/> when null.</summary>
    public int? MaxAttempts { get; init; }
}
