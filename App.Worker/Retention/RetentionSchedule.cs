using App.Data.Retention;
using App.Data.Sqlite;
using Quartz;

namespace App.Worker.Retention;

/// <summary>
/// Runs the item purge (<see cref="ItemPurge"/>) every <see cref="RetentionOptions.PurgeInterval"/>.
/// Run by every worker rather than as a queue job: two purges at once only find less to delete,
/// each chunk being its own transaction, and the chunks take turns with the worker's other writes.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RetentionSchedule(ItemPurge purge, DiskFullState diskFull, ILogger<RetentionSchedule> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            var run = await purge.RunAsync(ct: ct);
            log.LogInformation("Item purge deleted {Count} item(s) in {Elapsed}", run.Deleted, run.FinishedAt - run.StartedAt);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!diskFull.Observe(e))
            {
                log.LogWarning(e, "The item purge failed; will try again at the next interval");
            }
        }
    }
}
