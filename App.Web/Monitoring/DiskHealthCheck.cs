using App.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace App.Web.Monitoring;

/// <summary>
/// Degraded while the web's writes met a full disk within the last minute (<see cref="DiskFullState"/>):
/// adds and read marks are refused. A worker stuck on a full disk shows as well, in the workers
/// check, since its heartbeats fail.
/// </summary>
public sealed class DiskHealthCheck(DiskFullState diskFull, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(diskFull.IsFull && diskFull.LastFullAt is { } at
            ? new HealthCheckResult(context.Registration.FailureStatus,
                $"The disk is full: a write was refused {HealthText.Duration(time.GetUtcNow() - at)} ago, and nothing can be stored.")
            : HealthCheckResult.Healthy("Writes are stored."));
}
