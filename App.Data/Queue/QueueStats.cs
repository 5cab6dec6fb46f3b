using Microsoft.EntityFrameworkCore;

namespace App.Data.Queue;

/// <summary>Job counts by state and the known workers.</summary>
public sealed record QueueStats(
    int Pending, int Running, int Succeeded, int Failed, int Cancelled, IReadOnlyList<WorkerProcess> Workers)
{
    /// <summary>
    /// Reads only the live jobs and three counters (<see cref="JobSql.Counts"/>), never every
    /// finished job: what the dashboard reads every few seconds costs the same at a million jobs.
    /// </summary>
    public static async Task<QueueStats> ReadAsync(AppDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = JobSql.For(db.Engine).Counts;
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            int Count(int column) => reader.IsDBNull(column) ? 0 : checked((int)reader.GetInt64(column));
            var counts = (Pending: Count(0), Running: Count(1), Succeeded: Count(2), Failed: Count(3), Cancelled: Count(4));
            await reader.DisposeAsync();
            var workers = await db.Workers.AsNoTracking().OrderBy(w => w.StartedAt).ToListAsync(ct);
            return new QueueStats(counts.Pending, counts.Running, counts.Succeeded, counts.Failed, counts.Cancelled, workers);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
