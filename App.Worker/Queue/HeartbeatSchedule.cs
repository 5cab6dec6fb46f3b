using App.Data.Queue;
using Quartz;

namespace App.Worker.Queue;

/// <summary>Records on a schedule that this worker process is alive.</summary>
[DisallowConcurrentExecution]
public sealed class HeartbeatSchedule(WorkerRegistry registry, WorkerIdentity identity, ILogger<HeartbeatSchedule> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            await registry.HeartbeatAsync(identity.Id, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Heartbeat failed; will try again on the next beat");
        }
    }
}
