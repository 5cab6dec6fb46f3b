using App.Data.Backups;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Backups;

/// <summary>Real worker processes with the backup schedule on.</summary>
public sealed class BackupScheduleTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private TempDatabase _db = null!;
    private readonly List<RunningProcess> _workers = [];

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _workers.ForEach(w => w.Dispose());
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ThreeWorkers_TakeOneScheduledBackup_WrittenNextToTheDatabaseAndRecorded()
    {
        await _db.AddFeedAsync("https://example.com/feed.xml", itemCount: 10);
        for (var i = 0; i < 3; i++)
        {
            _workers.Add(RunningProcess.StartWorker(_db.ConnectionString, new Dictionary<string, string>
            {
                ["Backup:Interval"] = "1.00:00:00",
                ["Feeds:RefreshInterval"] = "1.00:00:00",
            }));
        }

        var backup = await Eventually.GetAsync(async () =>
        {
            await using var db = _db.Open();
            return await db.Backups.AsNoTracking().FirstOrDefaultAsync();
        }, b => b is not null, Patience, "a backup");

        Assert.True(backup!.Succeeded, backup.Error);
        Assert.Equal(BackupTrigger.Schedule, backup.Trigger);
        Assert.Equal(Path.Combine(_db.Folder, "backups"), Path.GetDirectoryName(backup.Path));
        Assert.Equal(new FileInfo(backup.Path!).Length, backup.SizeBytes);
        // Every worker looks as its scheduler starts ("Application started" follows it), and again
        // each minute; a moment after all have started, there is still one backup.
        await Eventually.TrueAsync(() => Task.FromResult(_workers.All(w => w.Output.Contains("Application started", StringComparison.Ordinal))), Patience, "every worker to start");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using var check = _db.Open();
        var job = await check.Jobs.SingleAsync(j => j.Type == BackupJobs.Type);
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(1, await check.Backups.CountAsync());
        Assert.Single(Directory.GetFiles(Path.Combine(_db.Folder, "backups")));
    }
}
