using App.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace App.Web.Monitoring;

/// <summary>
/// Degraded when the latest backup run failed: the install is running without the snapshot it
/// expects. Healthy when it succeeded or none has run yet (a fresh install, or backups turned off).
/// The reason gives the time, never the error's text (paths, file systems).
/// </summary>
public sealed class BackupHealthCheck(IDbContextFactory<AppDbContext> contexts, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var last = await db.Backups.AsNoTracking().OrderByDescending(b => b.Id)
            .Select(b => new { b.FinishedAt, b.Error })
            .FirstOrDefaultAsync(ct);
        if (last is null)
        {
            return HealthCheckResult.Healthy("No backup has run yet.");
        }
        var ago = HealthText.Duration(time.GetUtcNow().UtcDateTime - last.FinishedAt);
        return last.Error is null
            ? HealthCheckResult.Healthy($"The last backup succeeded {ago} ago.")
            : new HealthCheckResult(context.Registration.FailureStatus,
                $"The last backup, {ago} ago, failed: an administrator sees why on the backups page.");
    }
}
