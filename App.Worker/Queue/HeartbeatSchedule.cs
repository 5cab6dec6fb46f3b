using App.Data.Queue;
using App.Data.Sqlite;
using Quartz;

namespace App.Worker.Queue;

/// <summary>Records on a schedule that this worker process is alive.</summary>
[DisallowConcurrentExecution]
public sealed class HeartbeatSchedule(
    WorkerRegistry registry, WorkerIdentity identity, DiskFullState diskFull, ILogger<HeartbeatSchedule> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            await registry.HeartbeatAsync(identity.Id, ct);
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
