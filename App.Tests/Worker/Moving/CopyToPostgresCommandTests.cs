using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Backups;
using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Retention;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Xunit.Abstractions;

namespace App.Tests.Worker.Moving;

/// <summary>
/// <c>App.Worker copy-to-postgres</c> run as a real process: a SQLite install filled through the
/// app (users, keys, folders, subscriptions, items with read and star marks, jobs in every state)
/// arrives in PostgreSQL row for row and column for column, and the app on PostgreSQL serves it.
/// </summary>
public sealed class CopyToPostgresCommandTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = RunningProcess.Patience;

    /// <summary>
    /// The tables the copy writes: the whole model but the registrations of worker processes. A
    /// table added to the model fails here until someone decides whether it is copied (and says so in docs/postgres.md).
    /// </summary>
    private static readonly string[] CopiedTables =
    [
        "ApiKeys", "Backups", "FeedIcons", "FeedItems", "Feeds", "Folders", "ItemPurgeRuns", "JobBatches",
        "JobStateCounts", "Jobs", "NoopRuns", "StarredItems", "Subscriptions", "UnreadItems", "Users",
    ];

    [Fact]
    public async Task Copy_BringsEveryRowAndColumn_AndTheAppServesTheInstallFromPostgres()
    {
        await using var web = await WebApp.StartAsync();
        var source = web.Db;
        var filled = await FillAsync(web);
        using var target = await TempDatabase.CreateUnmigratedPostgresAsync();

        var startedAt = DateTime.UtcNow;
        using var copy = RunningProcess.StartCopyToPostgres(source.ConnectionString, target.ConnectionString);
        await copy.WaitForExitAsync(Patience);
        output.WriteLine(copy.Output);
        Assert.True(copy.ExitCode == 0, copy.Output);
        Assert.Contains("FeedItems", copy.Output);
        Assert.Contains("the row count of every table matches on both sides", copy.Output);
        Assert.Contains("1 jobs that were running are pending again", copy.Output);
        Assert.Contains("Not copied: Workers (1 rows", copy.Output);

        // Every table, every row, every column (times to PostgreSQL's microseconds).
        await using var targetContext = target.Open();
        var model = targetContext.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        Assert.Equal(CopiedTables, model.Tables.Select(t => t.Name).Where(n => n != "Workers").Order(StringComparer.Ordinal));
        await using var sqlite = new SqliteConnection(source.ConnectionString);
        await sqlite.OpenAsync();
        await using var postgres = await target.DataSource!.OpenConnectionAsync();
        foreach (var table in model.Tables.Where(t => CopiedTables.Contains(t.Name)))
        {
            var expected = await RowsAsync(sqlite, table);
            var actual = await RowsAsync(postgres, table);
            Assert.True(expected.Count > 0, $"the source has rows in {table.Name}, so that the comparison means something");
            foreach (var column in Columns(table).Where(c => c.IsNullable))
            {
                Assert.True(expected.Any(r => r[column.Name] is not null), $"the source sets {table.Name}.{column.Name} in some row");
            }
            if (table.Name == "Jobs")
            {
                expected = [.. expected.Select(row => HandedBack(row, actual))];
            }
            if (table.Name == "JobStateCounts")
            {
                // PostgreSQL splits each count over 16 rows; the copied counts are in row 0, the others start at 0.
                Assert.Equal(3 * JobStateCount.Shards, actual.Count);
                Assert.All(actual.Where(r => Convert.ToInt32(r["Shard"]) != 0), r => Assert.Equal(0L, Convert.ToInt64(r["Count"])));
                actual = [.. actual.Where(r => Convert.ToInt32(r["Shard"]) == 0)];
            }
            Assert.Equal(Serialized(expected), Serialized(actual));
            output.WriteLine($"{table.Name}: {actual.Count} rows identical");
        }

        // The job that was running is pending, due, and the first worker claims it.
        var handedBack = await targetContext.Jobs.AsNoTracking().SingleAsync(j => j.Id == filled.RunningJobId);
        Assert.Equal(JobState.Pending, handedBack.State);
        Assert.InRange(handedBack.RunAt, startedAt.AddSeconds(-1), DateTime.UtcNow);
        var claimed = await target.Queue().ClaimAsync("worker-on-postgres", 10);
        Assert.Contains(claimed, c => c.Lease.JobId == filled.RunningJobId);

        // Every identity hands out ids above the copied ones.
        foreach (var table in model.Tables.Where(t => CopiedTables.Contains(t.Name)))
        {
            if (table.PrimaryKey!.Columns is [{ StoreType: "bigint" } id] && id.PropertyMappings.Any(m => m.Property.ValueGenerated != ValueGenerated.Never))
            {
                await using var next = new NpgsqlCommand(
                    $"""SELECT nextval(pg_get_serial_sequence('"{table.Name}"', '{id.Name}')) > (SELECT MAX("{id.Name}") FROM "{table.Name}")""", postgres);
                Assert.True(await next.ExecuteScalarAsync() is true, $"{table.Name}'s next id follows the copied ones");
            }
        }

        // Vacuumed, not only analyzed, so that the visibility map lets counts read indexes alone. (Whether
        // the map is set cannot be asserted here: the tests' server runs with synchronous_commit off, and
        // VACUUM marks no row all-visible before its commit is flushed.)
        foreach (var table in new[] { "FeedItems", "UnreadItems" })
        {
            await using var vacuumed = new NpgsqlCommand(
                $"SELECT vacuum_count > 0 AND analyze_count > 0 FROM pg_stat_user_tables WHERE relname = '{table}'", postgres);
            Assert.True(await vacuumed.ExecuteScalarAsync() is true, $"{table} is vacuumed and analyzed after the copy");
        }

        // The web on PostgreSQL: the same user sees the same feeds, items and marks, and the API key made on SQLite still works.
        await using var onPostgres = WebApp.CreateFactory(target);
        using var ana = onPostgres.CreateClient();
        ana.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials("ana", WebApp.UserPassword);
        Assert.Equal(await FeedsAsync(filled.Ana), await FeedsAsync(ana));
        Assert.Equal(await ItemsAsync(filled.Ana), await ItemsAsync(ana));
        Assert.Equal(await ItemsAsync(filled.Ana, "unread=true"), await ItemsAsync(ana, "unread=true"));
        Assert.Equal(await ItemsAsync(filled.Ana, "starred=true"), await ItemsAsync(ana, "starred=true"));
        Assert.Equal(filled.Read.Order(), (await ItemsAsync(ana)).Where(i => i.Read).Select(i => i.Id).Order());
        using var withKey = onPostgres.CreateClient();
        withKey.DefaultRequestHeaders.Add("X-Auth-Token", filled.AnaKey);
        Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync("/api/feeds")).StatusCode);

        // A feed added on PostgreSQL gets the next id.
        using var add = await ana.PostAsJsonAsync("/api/feeds", new { url = "https://example.com/added-after-the-move.xml" });
        Assert.Equal(HttpStatusCode.Accepted, add.StatusCode);
        var feedId = (await add.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedId").GetInt64();
        Assert.True(feedId > filled.MaxFeedId, $"new feed {feedId} after the copied ones (up to {filled.MaxFeedId})");
    }

    [Fact]
    public async Task Copy_IsRefused_WhenTheTargetHoldsData_AndLeavesItUnchanged()
    {
        using var source = await TempDatabase.CreateAsync();
        var userId = await source.AddUserAsync("ana");
        await source.SubscribeAsync(userId, (await source.AddFeedAsync("https://example.com/a.xml", itemCount: 3)).Id);
        using var target = await TempDatabase.CreateAsync(DatabaseEngine.Postgres);
        await target.AddUserAsync("someone-already-here");
        await target.AddFeedAsync("https://example.com/theirs.xml", itemCount: 2);
        var before = await AllRowsAsync(target);

        using var copy = RunningProcess.StartCopyToPostgres(source.ConnectionString, target.ConnectionString);
        await copy.WaitForExitAsync(Patience);

        output.WriteLine(copy.Output);
        Assert.Equal(1, copy.ExitCode);
        Assert.Contains("is not empty", copy.Output);
        Assert.Contains("FeedItems (2 rows)", copy.Output);
        Assert.Contains("Users (1 rows)", copy.Output);
        Assert.Contains("left as it was", copy.Output);
        Assert.Equal(before, await AllRowsAsync(target));
    }

    [Fact]
    public async Task Copy_ThatFailsPartWay_LeavesTheTargetWithoutData()
    {
        using var source = await TempDatabase.CreateAsync();
        var userId = await source.AddUserAsync("ana");
        var feed = await source.AddFeedAsync("https://example.com/a.xml", itemCount: 3);
        await source.SubscribeAsync(userId, feed.Id);
        await using (var raw = new SqliteConnection(source.ConnectionString))
        {
            // A read mark of an item that does not exist (SQLite checks foreign keys only when asked to):
            // the tables before it are copied by the time PostgreSQL refuses it.
            await raw.OpenAsync();
            await using var orphan = raw.CreateCommand();
            orphan.CommandText = $"""PRAGMA foreign_keys = OFF; INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId") VALUES ({userId}, 999999, {feed.Id})""";
            await orphan.ExecuteNonQueryAsync();
        }
        using var target = await TempDatabase.CreateUnmigratedPostgresAsync();

        using var copy = RunningProcess.StartCopyToPostgres(source.ConnectionString, target.ConnectionString);
        await copy.WaitForExitAsync(Patience);

        output.WriteLine(copy.Output);
        Assert.Equal(1, copy.ExitCode);
        Assert.Contains("The copy failed and was rolled back", copy.Output);
        Assert.Contains("FeedItems", copy.Output);
        foreach (var (table, rows) in await AllRowsAsync(target))
        {
            if (table == "JobStateCounts")
            {
                Assert.All(rows, r => Assert.EndsWith("Count=0", r, StringComparison.Ordinal));
            }
            else
            {
                Assert.True(rows.Count == 0, $"{table} holds {rows.Count} rows after the failed copy");
            }
        }
    }

    [Fact]
    public async Task Copy_IsRefused_WhenTheTargetIsNotPostgres()
    {
        using var source = await TempDatabase.CreateAsync();
        var other = Path.Combine(source.Folder, "other.db");

        using var copy = RunningProcess.StartCopyToPostgres(source.ConnectionString, $"Data Source={other}");
        await copy.WaitForExitAsync(Patience);

        Assert.Equal(1, copy.ExitCode);
        Assert.Contains("--to must name a PostgreSQL database", copy.Output);
        Assert.False(File.Exists(other));
    }

    private sealed record Filled(HttpClient Ana, string AnaKey, long RunningJobId, long MaxFeedId, List<long> Read);

    /// <summary>An install with something in every table and every nullable column, made through the app where it can be.</summary>
    private static async Task<Filled> FillAsync(WebApp web)
    {
        var db = web.Db;
        var (anaId, ana) = await web.CreateUserAsync("ana");
        var keyAnswer = await ana.PostAsJsonAsync("/api/keys", new { name = "phone" });
        var key = (await keyAnswer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using (var withKey = web.CreateAnonymousClient())
        {
            withKey.DefaultRequestHeaders.Add("X-Auth-Token", key);
            (await withKey.GetAsync("/api/feeds")).EnsureSuccessStatusCode();
        }

        var shared = await web.AddFeedAsync("https://example.com/shared.xml", itemCount: 30, title: "Shared");
        await db.SubscribeAsync(anaId, shared.Id, title: "Ana's name for it");
        var own = await db.AddFeedAsync("https://example.com/own.xml", itemCount: 5, title: "Own", lastError: "timed out");
        await db.SubscribeAsync(anaId, own.Id);
        var folder = await ana.PostAsJsonAsync("/api/folders", new { name = "News" });
        var folderId = (await folder.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        (await ana.PutAsJsonAsync($"/api/feeds/{own.Id}/folder", new { folderId })).EnsureSuccessStatusCode();

        var read = new List<long>();
        await using (var context = db.Open())
        {
            var items = await context.FeedItems.Where(i => i.FeedId == shared.Id).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync();
            read.AddRange(items.Take(7));
            foreach (var id in read)
            {
                (await ana.PatchAsJsonAsync($"/api/items/{id}", new { read = true })).EnsureSuccessStatusCode();
            }
            foreach (var id in items.Skip(3).Take(4))
            {
                (await ana.PatchAsJsonAsync($"/api/items/{id}", new { starred = true })).EnsureSuccessStatusCode();
            }
        }

        await using (var context = db.Open())
        {
            // The columns a fetch, an article fetch and the settings page fill, set directly (no origin to fetch from here).
            var now = DateTime.UtcNow;
            (await context.Subscriptions.SingleAsync(s => s.UserId == anaId && s.FeedId == shared.Id)).FetchOriginalContent = true;
            var feed = await context.Feeds.SingleAsync(f => f.Id == shared.Id);
            feed.AddedUrl = "https://example.com/";
            feed.SiteUrl = "https://example.com/";
            feed.ETag = "\"v1\"";
            feed.LastModified = "Tue, 01 Dec 2026 00:00:00 GMT";
            feed.FetchNote = "moved permanently";
            feed.IconUrl = "https://example.com/favicon.ico";
            feed.LastFetchedAt = now;
            feed.NextRefreshAt = now.AddHours(1);
            feed.RefreshIntervalMinutes = 90;
            feed.UserAgent = "Reader/1.0";
            var item = await context.FeedItems.Where(i => i.FeedId == shared.Id).OrderBy(i => i.Id).FirstAsync();
            item.Author = "Ana Author";
            item.Summary = "A summary, with ünïcödé and \"quotes\"";
            item.ContentText = "Body of item 1";
            item.Excerpt = "Body of item…";
            item.ArticleHtml = "<article><p>The whole article</p></article>";
            item.ArticleFetchedAt = now;
            item.UpdatedAt = now;
            item.EnclosureUrl = "https://example.com/episode.mp3";
            item.EnclosureType = "audio/mpeg";
            item.EnclosureLength = 12_345_678;
            context.FeedIcons.Add(new FeedIcon { FeedId = shared.Id, ContentType = "image/png", Data = [0x89, 0x50, 0x4e, 0x47, 0, 255], FetchedAt = now });
            context.Backups.Add(new Backup { StartedAt = now, FinishedAt = now, Trigger = "scheduled", Path = "/backups/app.db", SizeBytes = 4096 });
            context.Backups.Add(new Backup { StartedAt = now, FinishedAt = now, Trigger = "command-line", Error = "The disk is full" });
            context.ItemPurgeRuns.Add(new ItemPurgeRun { StartedAt = now, FinishedAt = now, Deleted = 12 });
            context.Workers.Add(new WorkerProcess { Id = "gone-worker", Host = "old-host", ProcessId = 42, StartedAt = now, LastSeenAt = now, Metrics = "{}" });
            await context.SaveChangesAsync();
        }

        // Jobs in every state, through the queue (JobInStateAsync claims the one due job, so the running one comes first).
        var running = await web.JobInStateAsync(JobState.Running, shared.Id);
        await web.JobInStateAsync(JobState.Failed, error: "gave up");
        await web.JobInStateAsync(JobState.Succeeded);
        await web.JobInStateAsync(JobState.Cancelled);
        var queue = web.Queue;
        var retrying = await queue.EnqueueAsync(new JobRequest("test") { UniqueKey = "retrying" });
        var lease = Assert.Single(await queue.ClaimAsync("test-worker", 1)).Lease;
        Assert.Equal(FailOutcome.WillRetry, await queue.FailAsync(lease, "try again", retryable: true));
        await using (var context = db.Open())
        {
            var batch = new JobBatch { Name = "OPML import", UserId = anaId, CreatedAt = DateTime.UtcNow, PurgedSucceeded = 1 };
            context.JobBatches.Add(batch);
            await context.SaveChangesAsync();
            await queue.EnqueueAsync(new JobRequest("test", """{"n":1}""") { BatchId = batch.Id, FeedId = own.Id });
            context.NoopRuns.Add(new NoopRun { JobId = running.Id, Worker = "test-worker", RecordedAt = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }
        Assert.NotEqual(0, retrying.Id);
        return new Filled(ana, key, running.Id, own.Id, read);
    }

    /// <summary>A source row of Jobs as the copy hands a running job back: pending, its attempt refunded, its lease gone, due when the copy ran.</summary>
    private static Dictionary<string, string?> HandedBack(Dictionary<string, string?> row, List<Dictionary<string, string?>> copied)
    {
        if (row["State"] != "running")
        {
            return row;
        }
        var copy = copied.Single(r => r["Id"] == row["Id"]);
        return new Dictionary<string, string?>(row)
        {
            ["State"] = "pending",
            ["Attempts"] = (long.Parse(row["Attempts"]!, CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture),
            ["Version"] = (long.Parse(row["Version"]!, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture),
            ["LeaseExpiresAt"] = null,
            ["RunAt"] = copy["RunAt"],
        };
    }

    private static async Task<List<(long Id, string? Title, string Url)>> FeedsAsync(HttpClient client)
    {
        var feeds = await client.GetFromJsonAsync<JsonElement>("/api/feeds");
        return [.. feeds.EnumerateArray()
            .Select(f => (f.GetProperty("id").GetInt64(), f.GetProperty("title").GetString(), f.GetProperty("url").GetString()!))
            .OrderBy(f => f.Item1)];
    }

    private sealed record ItemSeen(long Id, long FeedId, string? Title, string? Link, bool Read, bool Starred);

    private static async Task<List<ItemSeen>> ItemsAsync(HttpClient client, string filter = "")
    {
        var items = await client.GetFromJsonAsync<JsonElement>($"/api/items?limit=200&{filter}");
        return [.. items.EnumerateArray().Select(i => new ItemSeen(
            i.GetProperty("id").GetInt64(), i.GetProperty("feedId").GetInt64(), i.GetProperty("title").GetString(),
            i.GetProperty("link").GetString(), i.GetProperty("read").GetBoolean(), i.GetProperty("starred").GetBoolean()))];
    }

    private static async Task<Dictionary<string, List<string>>> AllRowsAsync(TempDatabase db)
    {
        await using var context = db.Open();
        await using var connection = await db.DataSource!.OpenConnectionAsync();
        var all = new Dictionary<string, List<string>>();
        foreach (var table in context.GetService<IDesignTimeModel>().Model.GetRelationalModel().Tables)
        {
            all[table.Name] = Serialized(await RowsAsync(connection, table));
        }
        return all;
    }

    private static IEnumerable<IColumn> Columns(ITable table) => table.Columns.Where(c => c.ComputedColumnSql is null);

    /// <summary>
    /// Every row of <paramref name="table"/>, each column's value in one form for both engines:
    /// SQLite's 0/1 and PostgreSQL's booleans alike, times as UTC to the microsecond, bytes in base64.
    /// </summary>
    private static async Task<List<Dictionary<string, string?>>> RowsAsync(DbConnection connection, ITable table)
    {
        var columns = Columns(table).ToList();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))} FROM \"{table.Name}\"";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, string?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, string?>();
            for (var i = 0; i < columns.Count; i++)
            {
                row[columns[i].Name] = Normalized(reader.IsDBNull(i) ? null : reader.GetValue(i), columns[i].StoreType);
            }
            rows.Add(row);
        }
        return rows;
    }

    private static string? Normalized(object? value, string storeType) => value switch
    {
        null => null,
        bool b => b ? "1" : "0",
        byte[] bytes => Convert.ToBase64String(bytes),
        DateTime time => Microseconds(time),
        string text when storeType.StartsWith("timestamp", StringComparison.Ordinal) =>
            Microseconds(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static string Microseconds(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        return new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);
    }

    private static List<string> Serialized(List<Dictionary<string, string?>> rows) =>
        [.. rows.Select(r => string.Join(" | ", r.Select(c => $"{c.Key}={c.Value ?? "NULL"}"))).Order(StringComparer.Ordinal)];
}
