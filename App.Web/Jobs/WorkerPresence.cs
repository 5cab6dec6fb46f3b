using App.Data;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Jobs;

/// <summary>Whether any worker process has reported in recently: without one, jobs wait forever.</summary>
public sealed class WorkerPresence(IDbContextFactory<AppDbContext> contexts, TimeProvider time)
{
    /// <summary>A worker beats every few seconds; one silent this long has stopped or hangs.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    public async Task<bool> AnyAliveAsync(CancellationToken ct = default)
    {
        var since = time.GetUtcNow().UtcDateTime - StaleAfter;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Workers.AnyAsync(w => w.LastSeenAt >= since, ct);
    }
}
