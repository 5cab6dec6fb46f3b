using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Data.Writes;
using Microsoft.Extensions.Options;
using Quartz;

namespace App.Worker.Feeds;

/// <summary>
/// Enqueues a background refresh for every due feed: its next refresh time (set by the last
/// fetch's outcome, backed off after failures) has come, or it was never fetched and no fetch job
/// was created within <see cref="FeedOptions.RefreshInterval"/>. Every worker process runs it; the
/// live unique key makes a second enqueue for the same feed a no-op.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RefreshSchedule(
    WriteLane lane,
    IOptions<FeedOptions> feeds,
    IOptions<QueueOptions> queue,
    TimeProvider time,
    DiskFullState diskFull,
    ILogger<RefreshSchedule> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            var added = await FeedJobs.EnqueueDueRefreshesAsync(
                lane, now, now - feeds.Value.RefreshInterval, queue.Value.MaxAttempts, ct);
            if (added > 0)
            {
                log.LogInformation("Scheduled {Count} feed refresh(es)", added);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!diskFull.Observe(e))
            {
                log.LogWarning(e, "Scheduling feed refreshes failed; will try again");
            }
        }
    }
}
