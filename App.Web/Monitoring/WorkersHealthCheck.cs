using App.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace App.Web.Monitoring;

/// <summary>Degraded when no worker process has reported in within <see cref="HealthOptions.WorkerStaleAfter"/>: nothing runs the jobs.</summary>
public sealed class WorkersHealthCheck(IDbContextFactory<AppDbContext> contexts, IOptionsMonitor<HealthOptions> options, TimeProvider time)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var staleAfter = options.CurrentValue.WorkerStaleAfter;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        // A handful of rows, one per worker process.
        var lastSeen = await db.Workers.Select(w => (DateTime?)w.LastSeenAt).MaxAsync(ct);
        if (lastSeen is null)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "No worker has reported in: start a worker process.");
        }
        var silent = now - lastSeen.Value;
        if (silent > staleAfter)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"No worker has reported in for {HealthText.Duration(silent)} (limit {HealthText.Duration(staleAfter)}).");
        }
        var alive = await db.Workers.CountAsync(w => w.LastSeenAt >= now - staleAfter, ct);
        return HealthCheckResult.Healthy($"{alive} worker(s) reported in within {HealthText.Duration(staleAfter)}.");
    }
}
