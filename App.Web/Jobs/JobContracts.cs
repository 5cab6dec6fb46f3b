using App.Data.Queue;

namespace App.Web.Jobs;

/// <summary>A job as the API shows it; <see cref="State"/> is the lower-case state name.</summary>
public sealed record JobResponse(
    long Id,
    string Type,
    string State,
    int Attempts,
    int MaxAttempts,
    DateTime CreatedAt,
    DateTime RunAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    string? LastError,
    long? FeedId)
{
    public static JobResponse From(Job job) => new(
        job.Id, job.Type, job.State.ToName(), job.Attempts, job.MaxAttempts, job.CreatedAt, job.RunAt,
        job.StartedAt, job.FinishedAt, job.LastError, job.FeedId);
}

/// <summary>Job counts by state and the worker processes with their last heartbeat.</summary>
public sealed record QueueResponse(
    int Pending, int Running, int Succeeded, int Failed, int Cancelled, IReadOnlyList<WorkerResponse> Workers)
{
    public static QueueResponse From(QueueStats stats) => new(
        stats.Pending, stats.Running, stats.Succeeded, stats.Failed, stats.Cancelled,
        [.. stats.Workers.Select(w => new WorkerResponse(w.Id, w.LastSeenAt))]);
}

public sealed record WorkerResponse(string Id, DateTime LastSeenAt);

/// <summary>Whether any worker has reported in within <see cref="WorkerPresence.StaleAfter"/>.</summary>
public sealed record WorkerPresenceResponse(bool Alive);
