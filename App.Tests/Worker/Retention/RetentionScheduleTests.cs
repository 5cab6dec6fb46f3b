using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Retention;

/// <summary>A real worker process runs the item purge on its schedule.</summary>
public sealed class RetentionScheduleTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private TempDatabase _db = null!;
    private RunningProcess? _worker;

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _worker?.Dispose();
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AWorker_PurgesOldItems_ByItsConfiguredRules_AndRecordsTheRun()
    {
        var feed = await _db.AddFeedAsync("https://example.com/feed.xml", itemCount: 10);
        await using (var db = _db.Open())
        {
            await db.FeedItems.ExecuteUpdateAsync(s => s.SetProperty(i => i.CreatedAt, DateTime.UtcNow.AddDays(-20)));
        }

        _worker = RunningProcess.StartWorker(_db.ConnectionString, new Dictionary<string, string>
        {
            ["Reader:RetainReadItems"] = "10.00:00:00",
            ["Reader:RetainUnreadItems"] = "10.00:00:00",
            ["Reader:KeepItemsPerFeed"] = "3",
            ["Reader:PurgeInterval"] = "00:00:02",
            ["Feeds:RefreshInterval"] = "1.00:00:00",
        });

        var run = await Eventually.GetAsync(async () =>
        {
            await using var db = _db.Open();
            return await db.ItemPurgeRuns.AsNoTracking().OrderBy(r => r.Id).FirstOrDefaultAsync();
        }, r => r is not null, Patience, "a purge run");

        Assert.Equal(7, run!.Deleted);
        await using var check = _db.Open();
        Assert.Equal(
            feed.Items.OrderByDescending(i => i.Id).Take(3).Select(i => i.Id).Order(),
            await check.FeedItems.OrderBy(i => i.Id).Select(i => i.Id).ToListAsync());
        // It runs again on its interval; the second run finds nothing left to remove.
        var runs = await Eventually.GetAsync(async () =>
        {
            await using var db = _db.Open();
            return await db.ItemPurgeRuns.AsNoTracking().OrderBy(r => r.Id).ToListAsync();
        }, r => r.Count >= 2, Patience, "a second purge run");
        Assert.Equal(0, runs[1].Deleted);
    }
}
