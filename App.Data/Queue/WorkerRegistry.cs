using App.Data.Writes;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Queue;

/// <summary>
/// Worker processes record themselves here: registered at start, a heartbeat while alive, removed
/// at a clean stop. Each write is a turn of the process's lane: on a connection of its own it
/// would wait for SQLite's lock behind the worker's own completions, which pass it back to back.
/// The statements are not one transaction: a process's first heartbeat compiles each of them, and
/// under the lock that took seconds on a loaded machine, long enough for a worker starting beside
/// it to give up waiting (SQLITE_BUSY after 5 s) and exit.
/// </summary>
public sealed class WorkerRegistry(IDbContextFactory<AppDbContext> contexts, WriteLane lane, TimeProvider time)
{
    /// <summary>Rows not refreshed for this long belong to processes that died without deregistering.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(1);

    /// <summary>A new owner name, unique per process start.</summary>
    public static string NewWorkerId() =>
        $"{Environment.MachineName}:{Environment.ProcessId}:{System.Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Inserts or refreshes this worker's row with its <paramref name="metrics"/> snapshot (JSON;
    /// null keeps the stored one), and forgets long-dead ones.
    /// </summary>
    public async Task HeartbeatAsync(string workerId, string? metrics = null, CancellationToken ct = default)
    {
        using var turn = await lane.EnterAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var seen = metrics is null
            ? await db.Workers.Where(w => w.Id == workerId)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.LastSeenAt, now), ct)
            : await db.Workers.Where(w => w.Id == workerId)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.LastSeenAt, now).SetProperty(w => w.Metrics, metrics), ct);
        if (seen == 0)
        {
            db.Workers.Add(new WorkerProcess
            {
                Id = workerId,
                Host = Environment.MachineName,
                ProcessId = Environment.ProcessId,
                StartedAt = now,
                LastSeenAt = now,
                Metrics = metrics,
            });
            await db.SaveChangesAsync(ct);
        }
        var forgetBefore = now - ForgetAfter;
        await db.Workers.Where(w => w.LastSeenAt < forgetBefore).ExecuteDeleteAsync(ct);
    }

    /// <summary>Removes this worker's row at a clean stop.</summary>
    public async Task DeregisterAsync(string workerId, CancellationToken ct = default)
    {
        using var turn = await lane.EnterAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Workers.Where(w => w.Id == workerId).ExecuteDeleteAsync(ct);
    }
}
