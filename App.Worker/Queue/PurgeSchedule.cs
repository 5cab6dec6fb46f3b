using App.Data.Queue;
using Quartz;

namespace App.Worker.Queue;

/// <summary>Keeps the jobs table from growing without bound: finished jobs past their retention are deleted in small batches.</summary>
[DisallowConcurrentExecution]
public sealed class PurgeSchedule(JobQueue queue, ILogger<PurgeSchedule> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            var deleted = await queue.PurgeFinishedAsync(ct: ct);
            if (deleted > 0)
            {
                log.LogInformation("Purged {Count} finished job(s) past their retention", deleted);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Purging finished jobs failed; will try again");
        }
    }
}
