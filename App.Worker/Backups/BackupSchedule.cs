using App.Data.Backups;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Data.Writes;
using Microsoft.Extensions.Options;
using Quartz;

namespace App.Worker.Backups;

/// <summary>
/// Every worker looks once a minute whether a backup is due (<see cref="BackupOptions.Interval"/>
/// since the last good one) and enqueues it if so; the queue then gives it to exactly one worker.
/// </summary>
[DisallowConcurrentExecution]
public sealed class BackupSchedule(
    WriteLane lane,
    JobQueue queue,
    IOptions<BackupOptions> options,
    TimeProvider time,
    DiskFullState diskFull,
    ILogger<BackupSchedule> log) : IJob
{
    /// <summary>How often a worker looks: a read, and a write only when a backup is due.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            if (await BackupJobs.EnqueueIfDueAsync(lane, queue, options.Value.Interval, time.GetUtcNow().UtcDateTime, ct) is { } jobId)
            {
                log.LogInformation("A backup is due: job {JobId} enqueued", jobId);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!diskFull.Observe(e))
            {
                log.LogWarning(e, "Could not enqueue the scheduled backup; will look again in a minute");
            }
        }
    }
}
