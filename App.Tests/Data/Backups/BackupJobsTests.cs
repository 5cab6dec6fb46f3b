using App.Data.Backups;
using App.Data.Queue;
using App.Data.Writes;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Backups;

public sealed class BackupJobsTests : DatabaseTest
{
    private static readonly TimeSpan Daily = TimeSpan.FromDays(1);
    private readonly DateTime _now = TempDatabase.FakeClock().GetUtcNow().UtcDateTime;

    [Fact]
    public async Task EnqueueIfDue_EnqueuesOneBackup_WhenSeveralWorkersLookAtOnce()
    {
        // Four workers, each with its own lane (connection), as four processes would.
        var lanes = Enumerable.Range(0, 4).Select(_ => new WriteLane(Db.Contexts)).ToList();

        var ids = await Task.WhenAll(lanes.Select(lane => Task.Run(() => BackupJobs.EnqueueIfDueAsync(lane, Db.Queue(lane: lane), Daily, _now, default))));

        Assert.Single(ids, id => id is not null);
        await using var db = Db.Open();
        var job = await db.Jobs.SingleAsync();
        Assert.Equal(BackupJobs.Type, job.Type);
        Assert.Equal(BackupTrigger.Schedule, BackupJobs.TriggerOf(job.Payload));
        lanes.ForEach(l => l.Dispose());
    }

    [Fact]
    public async Task EnqueueIfDue_WaitsForTheInterval_AfterASuccessfulBackup()
    {
        await AddRunAsync(_now.AddHours(-23), error: null);

        Assert.Null(await EnqueueIfDueAsync(_now));
        Assert.NotNull(await EnqueueIfDueAsync(_now.AddHours(1.5)));
    }

    [Fact]
    public async Task EnqueueIfDue_TriesAgainAfterAnHour_WhenTheLastBackupFailed()
    {
        await AddRunAsync(_now.AddDays(-2), error: null);
        await AddRunAsync(_now.AddMinutes(-30), error: "The disk is full: the snapshot could not be written.");

        Assert.Null(await EnqueueIfDueAsync(_now));
        Assert.NotNull(await EnqueueIfDueAsync(_now.AddMinutes(31)));
    }

    [Fact]
    public async Task EnqueueNow_GivesTheLiveJob_WhenABackupIsQueuedAlready()
    {
        using var lane = new WriteLane(Db.Contexts);
        var queue = Db.Queue(lane: lane);

        var first = await BackupJobs.EnqueueNowAsync(lane, queue, default);
        var second = await BackupJobs.EnqueueNowAsync(lane, queue, default);
        var scheduled = await BackupJobs.EnqueueIfDueAsync(lane, queue, Daily, _now, default);

        Assert.True(first.Created);
        Assert.Equal((first.JobId, false), second);
        Assert.Null(scheduled);
        await using var db = Db.Open();
        Assert.Equal(JobPriority.User, (await db.Jobs.SingleAsync()).Priority);
    }

    private async Task<long?> EnqueueIfDueAsync(DateTime now)
    {
        using var lane = new WriteLane(Db.Contexts);
        return await BackupJobs.EnqueueIfDueAsync(lane, Db.Queue(lane: lane), Daily, now, default);
    }

    private async Task AddRunAsync(DateTime startedAt, string? error)
    {
        await using var db = Db.Open();
        db.Backups.Add(new Backup { StartedAt = startedAt, FinishedAt = startedAt.AddSeconds(1), Trigger = BackupTrigger.Schedule, Error = error });
        await db.SaveChangesAsync();
    }
}
