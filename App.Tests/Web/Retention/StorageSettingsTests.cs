using App.Data;
using App.Data.Retention;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Retention;

/// <summary>The settings page's storage section: the database's size and the item purge's figures, for administrators only.</summary>
public abstract class StorageSettingsTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Settings_ShowsAnAdministrator_TheDatabaseSize_WhatTheNextPurgeRemoves_AndTheLastRun()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed", itemCount: 130);
        await using (var db = _app.Db.Open())
        {
            // Older than the unread limit (the admin has them unread): all but the feed's newest 100 (Reader:KeepItemsPerFeed's default) are due.
            await db.FeedItems.Where(i => i.FeedId == feed.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.CreatedAt, DateTime.UtcNow.AddDays(-200)));
            db.ItemPurgeRuns.Add(new ItemPurgeRun { StartedAt = DateTime.UtcNow.AddMinutes(-5), FinishedAt = DateTime.UtcNow.AddMinutes(-5), Deleted = 1234 });
            await db.SaveChangesAsync();
        }

        var html = await _app.Client.GetStringAsync("/settings");

        Assert.Contains("Storage", html);
        Assert.Matches(@"data-database-size>\d+\.\d MB", html);
        Assert.Contains("30 items would be removed", html);
        Assert.Contains("removed 1,234 items", html);
    }

    [Fact]
    public async Task Settings_SaysThePurgeNeverRan_OnAFreshDatabase()
    {
        var html = await _app.Client.GetStringAsync("/settings");

        Assert.Contains("0 items would be removed", html);
        Assert.Contains("never run", html);
    }

    [Fact]
    public async Task Settings_HidesStorage_FromAUserWhoIsNotAnAdministrator()
    {
        var (_, client) = await _app.CreateUserAsync("reader");

        var html = await client.GetStringAsync("/settings");

        Assert.Contains("API keys", html);
        Assert.DoesNotContain("storage-title", html);
    }
}

public sealed class StorageSettingsTestsOnSqlite() : StorageSettingsTests(DatabaseEngine.Sqlite);

public sealed class StorageSettingsTestsOnPostgres() : StorageSettingsTests(DatabaseEngine.Postgres);
