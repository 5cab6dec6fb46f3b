using Microsoft.EntityFrameworkCore;

namespace App.Data.Queue;

/// <summary>Job counts by state and the known workers.</summary>
public sealed record QueueStats(
    int Pending, int Running, int Succeeded, int Failed, int Cancelled, IReadOnlyList<WorkerProcess> Workers)
{
    public static async Task<QueueStats> ReadAsync(AppDbContext db, CancellationToken ct)
    {
        var counts = await db.Jobs.GroupBy(j => j.State)
            .Select(g => new { State = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.State, x => x.Count, ct);
        var workers = await db.Workers.AsNoTracking().OrderBy(w => w.StartedAt).ToListAsync(ct);
        int Count(JobState s) => counts.GetValueOrDefault(s);
        return new QueueStats(
            Count(JobState.Pending), Count(JobState.Running), Count(JobState.Succeeded),
            Count(JobState.Failed), Count(JobState.Cancelled), workers);
    }
}
