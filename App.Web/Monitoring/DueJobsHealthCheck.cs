using App.Data;
using App.Data.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace App.Web.Monitoring;

/// <summary>
/// Degraded when the oldest due job has waited longer than <see cref="HealthOptions.MaxDueWait"/>:
/// the workers are stuck or do not keep up. A few seeks on the due index, however long the queue.
/// </summary>
public sealed class DueJobsHealthCheck(IDbContextFactory<AppDbContext> contexts, IOptionsMonitor<HealthOptions> options, TimeProvider time)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var limit = options.CurrentValue.MaxDueWait;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await QueueBacklog.OldestDueAsync(db, now, ct) is not { } oldest)
        {
            return HealthCheckResult.Healthy("No job is waiting.");
        }
        var waited = now - oldest;
        return waited > limit
            ? new HealthCheckResult(context.Registration.FailureStatus,
                $"The oldest due job has waited {HealthText.Duration(waited)} (limit {HealthText.Duration(limit)}).")
            : HealthCheckResult.Healthy($"The oldest due job has waited {HealthText.Duration(waited)}.");
    }
}
