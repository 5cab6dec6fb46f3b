using App.Data.Queue;
using App.Data.Sqlite;
using App.Worker.Monitoring;
using Quartz;

namespace App.Worker.Queue;

/// <summary>
/// Records on a schedule that this worker process is alive, with its metrics as they are now: the
/// web's <c>/metrics</c> exports them from there, so they are at most one heartbeat old.
/// </summary>
[DisallowConcurrentExecution]
public sealed class HeartbeatSchedule(
    WorkerRegistry registry, WorkerIdentity identity, WorkerMetrics metrics, DiskFullState diskFull, ILogger<HeartbeatSchedule> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            await registry.HeartbeatAsync(identity.Id, metrics.Snapshot().ToJson(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A full disk is logged by DiskFullState, once a minute; the missing heartbeats show it too.
            if (!diskFull.Observe(e))
            {
                log.LogWarning(e, "Heartbeat failed; will try again on the next beat");
            }
        }
    }
}
