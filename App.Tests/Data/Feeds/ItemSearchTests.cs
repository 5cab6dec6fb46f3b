using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Feeds;

/// <summary>
/// The full-text index follows FeedItems through its triggers, whoever writes: an insert is found,
/// an update is found by its new words only, a deleted item (alone or with its feed) is gone, and
/// FTS5's own integrity check agrees with the items after each.
/// </summary>
public sealed class ItemSearchTests : IDisposable
{
    private readonly TempDatabase _db = TempDatabase.CreateAsync().GetAwaiter().GetResult();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task AnInsertedItem_IsFound_ByItsTitleAndText()
    {
        var feed = await _db.AddFeedAsync("https://one.example/feed.xml");
        var id = await InsertAsync(feed.Id, "Quarterly report", "Revenue grew in the northern région.");

        Assert.Equal([id], await MatchAsync("quarterly"));
        Assert.Equal([id], await MatchAsync("revenue"));
        Assert.Equal([id], await MatchAsync("region"));
        await AssertIntegrityAsync();
    }

    [Fact]
    public async Task AnUpdatedItem_IsFound_ByItsNewWordsOnly()
    {
        var feed = await _db.AddFeedAsync("https://one.example/feed.xml");
        var id = await InsertAsync(feed.Id, "Draft title", "Old body");

        await ExecuteAsync("""UPDATE "FeedItems" SET "Title" = 'Final title', "ContentText" = 'New body' WHERE "Id" = $id""", ("$id", id));

        Assert.Empty(await MatchAsync("draft"));
        Assert.Empty(await MatchAsync("old"));
        Assert.Equal([id], await MatchAsync("final"));
        Assert.Equal([id], await MatchAsync("new"));
        await AssertIntegrityAsync();
    }

    [Fact]
    public async Task AnUpdateOfOtherColumns_LeavesTheIndexAsItWas()
    {
        var feed = await _db.AddFeedAsync("https://one.example/feed.xml");
        var id = await InsertAsync(feed.Id, "Stable title", "Stable body");

        await ExecuteAsync("""UPDATE "FeedItems" SET "Link" = 'https://one.example/moved', "Title" = "Title" WHERE "Id" = $id""", ("$id", id));

        Assert.Equal([id], await MatchAsync("stable"));
        await AssertIntegrityAsync();
    }

    [Fact]
    public async Task ADeletedItem_AndTheItemsOfADeletedFeed_AreNotFound()
    {
        var one = await _db.AddFeedAsync("https://one.example/feed.xml");
        var two = await _db.AddFeedAsync("https://two.example/feed.xml");
        var purged = await InsertAsync(one.Id, "Purged item", "shared word");
        var kept = await InsertAsync(one.Id, "Kept item", "shared word");
        var cascaded = await InsertAsync(two.Id, "Feed gone", "shared word");

        // As a retention purge would: a plain delete of item rows.
        await ExecuteAsync("""DELETE FROM "FeedItems" WHERE "Id" = $id""", ("$id", purged));
        await using (var db = _db.Open())
        {
            db.Feeds.Remove(await db.Feeds.SingleAsync(f => f.Id == two.Id));
            await db.SaveChangesAsync();
        }

        Assert.Equal([kept], await MatchAsync("shared"));
        Assert.Empty(await MatchAsync("purged"));
        Assert.Empty(await MatchAsync("gone"));
        Assert.DoesNotContain(cascaded, await MatchAsync("item OR feed"));
        await AssertIntegrityAsync();
    }

    [Fact]
    public async Task TheMigration_IndexesTheItemsStoredBeforeIt_ByTitleAndExcerpt()
    {
        using var old = await TempDatabase.CreateAtAsync("20261130155831_JobStateCounts");
        // Seeded in that release's schema with SQL: the current model has columns it did not.
        await using (var connection = new SqliteConnection(old.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO "Feeds" ("Id", "Url", "CreatedAt", "ConsecutiveFailures") VALUES (1, 'https://old.example/feed.xml', '2026-01-01 00:00:00', 0);
                INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "ContentHtml", "Excerpt", "CreatedAt")
                VALUES (1, 'k', 'Legacy entry', '<p>Archived <b>material</b></p>', 'Archived material', '2026-01-01 00:00:00')
                """;
            await command.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();

        await using (var db = old.Open())
        {
            await db.Database.MigrateAsync();
        }

        Assert.Single(await MatchAsync("legacy", old));
        Assert.Single(await MatchAsync("archiv*", old));
        Assert.Empty(await MatchAsync("b", old));
    }

    private async Task<long> InsertAsync(long feedId, string title, string text)
    {
        await using var db = _db.Open();
        var item = new FeedItem { FeedId = feedId, Key = Guid.NewGuid().ToString("N"), Title = title, ContentText = text, CreatedAt = DateTime.UtcNow };
        db.FeedItems.Add(item);
        await db.SaveChangesAsync();
        return item.Id;
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<long>> MatchAsync(string match, TempDatabase? db = null)
    {
        await using var connection = new SqliteConnection((db ?? _db).ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT rowid FROM "FeedItemSearch" WHERE "FeedItemSearch" MATCH $match ORDER BY rowid""";
        command.Parameters.AddWithValue("$match", match);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    // Compares the index with FeedItems (rank 1: the content table is read too); throws SQLITE_CORRUPT_VTAB when they differ.
    private Task AssertIntegrityAsync() =>
        ExecuteAsync("""INSERT INTO "FeedItemSearch"("FeedItemSearch", rank) VALUES ('integrity-check', 1)""");
}
