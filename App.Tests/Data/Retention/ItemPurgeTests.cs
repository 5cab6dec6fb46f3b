using App.Data;
using App.Data.Accounts;
using App.Data.Retention;
using App.Data.Writes;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace App.Tests.Data.Retention;

/// <summary>The purge's rules, on each engine, with the clock moved past the items' ages.</summary>
public abstract class ItemPurgeTests(DatabaseEngine engine) : IAsyncLifetime
{
    private protected TempDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync(engine);

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ReadItemsPastRetention_AreDeleted_ExceptTheNewestOfEachFeed()
    {
        var feed = await _db.AddFeedAsync("https://example.com/a", itemCount: 10);
        var other = await _db.AddFeedAsync("https://example.com/b", itemCount: 2);
        var user = await _db.AddUserAsync("ann");
        await _db.SubscribeAsync(user, feed.Id);
        await MarkAllReadAsync(user);

        var run = await Purge(days: 61, keep: 3).RunAsync();

        Assert.Equal(7, run.Deleted);
        Assert.Equal(feed.Items.OrderByDescending(i => i.Id).Take(3).Select(i => i.Id).Order(), await ItemIdsAsync(feed.Id));
        Assert.Equal(2, (await ItemIdsAsync(other.Id)).Count);
        await using var db = _db.Open();
        var recorded = await ItemPurge.LastRunAsync(db, default);
        Assert.Equal(7, recorded!.Deleted);
    }

    [Fact]
    public async Task ReadItemsYoungerThanTheLimit_Stay()
    {
        var feed = await _db.AddFeedAsync("https://example.com/a", itemCount: 5);

        var run = await Purge(days: 59, keep: 0).RunAsync();

        Assert.Equal(0, run.Deleted);
        Assert.Equal(5, (await ItemIdsAsync(feed.Id)).Count);
    }

    [Fact]
    public async Task UnreadItems_StayUntilTheUnreadLimit_ThenGoWithTheirMarks()
    {
        var feed = await _db.AddFeedAsync("https://example.com/a", itemCount: 4);
        var user = await _db.AddUserAsync("ann");
        await _db.SubscribeAsync(user, feed.Id);

        Assert.Equal(0, (await Purge(days: 179, keep: 0).RunAsync()).Deleted);
        Assert.Equal(4, (await ItemIdsAsync(feed.Id)).Count);

        Assert.Equal(4, (await Purge(days: 181, keep: 0).RunAsync()).Deleted);
        await using var db = _db.Open();
        Assert.Equal(0, await db.UnreadItems.CountAsync());
    }

    [Fact]
    public async Task AnItemAnotherUserHasUnread_IsKept_UntilTheUnreadLimit()
    {
        var feed = await _db.AddFeedAsync("https://example.com/a", itemCount: 3);
        var ann = await _db.AddUserAsync("ann");
        var bob = await _db.AddUserAsync("bob");
        await _db.SubscribeAsync(ann, feed.Id);
        await _db.SubscribeAsync(bob, feed.Id);
        await MarkAllReadAsync(ann);
        var kept = feed.Items.Min(i => i.Id);
        await using (var db = _db.Open())
        {
            await db.UnreadItems.Where(u => u.UserId == bob && u.ItemId != kept).ExecuteDeleteAsync();
        }

        var run = await Purge(days: 61, keep: 0).RunAsync();

        Assert.Equal(2, run.Deleted);
        Assert.Equal([kept], await ItemIdsAsync(feed.Id));
        Assert.True(await _db.IsUnreadAsync(bob, kept));
    }

    [Fact]
    public async Task AStarredItem_IsNeverDeleted_WhateverItsAgeOrMarks()
    {
        var feed = await _db.AddFeedAsync("https://example.com/a", itemCount: 3);
        var ann = await _db.AddUserAsync("ann");
        await _db.SubscribeAsync(ann, feed.Id);
        var starred = feed.Items.Min(i => i.Id);
        await using (var db = _db.Open())
        {
            db.StarredItems.Add(new StarredItem { UserId = ann, ItemId = starred, FeedId = feed.Id, StarredAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var run = await Purge(days: 1000, keep: 0).RunAsync();

        Assert.Equal(2, run.Deleted);
        Assert.Equal([starred], await ItemIdsAsync(feed.Id));
    }

    [Fact]
    public async Task CountDue_IsWhatTheNextRunDeletes()
    {
        var feed = await _db.AddFeedAsync("https://example.com/a", itemCount: 700);
        var ann = await _db.AddUserAsync("ann");
        await _db.SubscribeAsync(ann, feed.Id);
        await using (var db = _db.Open())
        {
            // Half read: the other half is unread and young enough for the unread limit.
            await db.UnreadItems.Where(u => u.ItemId % 2 == 0).ExecuteDeleteAsync();
        }
        var purge = Purge(days: 61, keep: 50);

        var due = await purge.CountDueAsync();
        var run = await purge.RunAsync();

        Assert.Equal(run.Deleted, due);
        Assert.Equal(325, due);
        Assert.Equal(0, await purge.CountDueAsync());
    }

    [Fact]
    public async Task CountDue_StopsAtItsCap_WithoutDeletingAnything()
    {
        var feed = await _db.AddFeedAsync("https://example.com/a", itemCount: 700);
        var purge = Purge(days: 61, keep: 50);

        Assert.Equal(650, await purge.CountDueAsync());
        Assert.Equal(400, await purge.CountDueAsync(atMost: 400));
        await using var db = _db.Open();
        Assert.Equal(700, await db.FeedItems.CountAsync(i => i.FeedId == feed.Id));
    }

    private protected ItemPurge Purge(int days, int keep, WriteLane? lane = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(days));
        var options = new RetentionOptions { KeepItemsPerFeed = keep };
        return new ItemPurge(_db.Contexts, lane ?? _db.NewLane(), Options.Create(options), clock, NullLogger<ItemPurge>.Instance);
    }

    private async Task MarkAllReadAsync(long userId)
    {
        await using var db = _db.Open();
        await db.UnreadItems.Where(u => u.UserId == userId).ExecuteDeleteAsync();
    }

    private async Task<List<long>> ItemIdsAsync(long feedId)
    {
        await using var db = _db.Open();
        return await db.FeedItems.Where(i => i.FeedId == feedId).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync();
    }
}

/// <summary>What only SQLite has: one write lane per process, and a WAL file.</summary>
public sealed class ItemPurgeTestsOnSqlite() : ItemPurgeTests(DatabaseEngine.Sqlite)
{
    [Fact]
    public async Task EachChunkCommitsOnItsOwn_SoAnotherWriterOnTheLaneGetsInBetween()
    {
        const int chunk = 100;
        await _db.AddFeedAsync("https://example.com/a", itemCount: 10 * chunk);
        var lane = _db.NewLane();
        var purge = Purge(days: 61, keep: 0, lane);
        var seen = new List<long>();
        using var done = new CancellationTokenSource();

        var running = Task.Run(() => purge.RunAsync(chunk));
        var poller = Task.Run(async () =>
        {
            // No sleep between turns: the lane queues its waiters in order, so each turn falls between two chunks.
            while (!running.IsCompleted)
            {
                seen.Add(await lane.InWriteTransactionAsync(c => (long)c.Statement("""SELECT COUNT(*) FROM "FeedItems" """).ExecuteScalar()!));
            }
        });
        var run = await running;
        await poller;

        Assert.Equal(10 * chunk, run.Deleted);
        var between = seen.Where(n => n is > 0 and < 10 * chunk).Distinct().ToList();
        Assert.NotEmpty(between);
        Assert.All(between, n => Assert.Equal(0, n % chunk));
    }

    [Fact]
    public async Task ABigPurge_LeavesTheWalFileEmpty()
    {
        await _db.AddFeedAsync("https://example.com/a", itemCount: 2 * ItemPurge.CheckpointAfter);

        var run = await Purge(days: 61, keep: 0).RunAsync();

        Assert.Equal(2 * ItemPurge.CheckpointAfter, run.Deleted);
        var wal = new FileInfo(_db.Path + "-wal");
        Assert.True(!wal.Exists || wal.Length == 0, $"WAL is {wal.Length} bytes");
    }
}

public sealed class ItemPurgeTestsOnPostgres() : ItemPurgeTests(DatabaseEngine.Postgres);
