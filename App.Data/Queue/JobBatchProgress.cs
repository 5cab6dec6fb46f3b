using Microsoft.EntityFrameworkCore;

namespace App.Data.Queue;

/// <summary>A batch and its jobs counted by state, those deleted by the retention purge included.</summary>
public sealed record JobBatchProgress(
    long Id, string Name, DateTime CreatedAt, int Pending, int Running, int Succeeded, int Failed, int Cancelled)
{
    public int Total => Pending + Running + Succeeded + Failed + Cancelled;

    /// <summary>Jobs that will not change any more: succeeded, failed or cancelled.</summary>
    public int Finished => Succeeded + Failed + Cancelled;

    /// <summary>Null when there is no such batch.</summary>
    public static async Task<JobBatchProgress?> ReadAsync(AppDbContext db, long batchId, CancellationToken ct)
    {
        if (await db.JobBatches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, ct) is not { } batch)
        {
            return null;
        }
        var counts = await db.Jobs.Where(j => j.BatchId == batchId)
            .GroupBy(j => j.State)
            .Select(g => new { State = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.State, x => x.Count, ct);
        int Count(JobState s) => counts.GetValueOrDefault(s);
        return new JobBatchProgress(
            batch.Id, batch.Name, batch.CreatedAt, Count(JobState.Pending), Count(JobState.Running),
            Count(JobState.Succeeded) + batch.PurgedSucceeded, Count(JobState.Failed) + batch.PurgedFailed,
            Count(JobState.Cancelled) + batch.PurgedCancelled);
    }
}
