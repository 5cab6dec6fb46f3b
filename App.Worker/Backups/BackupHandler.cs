using App.Data.Backups;
using App.Worker.Queue;

namespace App.Worker.Backups;

/// <summary>
/// Runs a <c>backup</c> job: a snapshot of the database (<see cref="DatabaseBackup"/>), whose
/// outcome row commits with the job's outcome, so the backups page and a readiness check see every
/// attempt, failed ones included.
/// </summary>
public sealed class BackupHandler(DatabaseBackup backup) : IJobHandler
{
    public string Type => BackupJobs.Type;

    /// <summary>VACUUM INTO copies a gigabyte in well under a minute on an ordinary disk; an hour leaves room for slow ones.</summary>
    public TimeSpan Timeout => TimeSpan.FromHours(1);

    public async Task RunAsync(JobRun run, CancellationToken ct)
    {
        var outcome = await backup.TakeAsync(BackupJobs.TriggerOf(run.Job.Payload), ct: ct);
        if (outcome.Succeeded)
        {
            await run.CompleteAsync((db, _) =>
            {
                db.Backups.Add(outcome);
                return Task.CompletedTask;
            }, ct);
            return;
        }
        await run.FailAsync(outcome.Error!, retryable: true, (db, _, _) =>
        {
            db.Backups.Add(outcome);
            return Task.CompletedTask;
        }, ct);
    }
}
