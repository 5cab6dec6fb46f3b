using App.Data.Queue;

namespace App.Web.Batches;

/// <summary>
/// A batch's progress: its jobs counted by state. <see cref="Done"/> counts succeeded jobs,
/// <see cref="Failed"/> failed and cancelled ones; <see cref="Percent"/> is the finished share.
/// </summary>
public sealed record BatchResponse(
    long Id,
    string Name,
    DateTime CreatedAt,
    int Total,
    int Pending,
    int Running,
    int Done,
    int Failed,
    int Percent,
    bool Finished,
    IReadOnlyList<BatchFailure> Failures)
{
    public static BatchResponse From(JobBatchProgress p, IReadOnlyList<BatchFailure> failures) => new(
        p.Id, p.Name, p.CreatedAt, p.Total, p.Pending, p.Running, p.Succeeded, p.Failed + p.Cancelled,
        p.Total == 0 ? 100 : p.Finished * 100 / p.Total, p.Finished == p.Total, failures);
}

/// <summary>A job of the batch that failed, with its feed when it has one.</summary>
public sealed record BatchFailure(long JobId, long? FeedId, string? FeedUrl, string? Error);
