using System.Diagnostics;
using System.Globalization;
using App.Bench.Support;
using App.Web.Feeds;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Bench.Reader;

/// <summary>
/// Unread counts over 100,000 items (100 feeds × 1,000) that two users both subscribe to, with and
/// without the index IX_UnreadItems_UserId_FeedId_ItemId (without it, a count walks all of the
/// user's unread rows by the key), through the feeds list's own query (a page of FeedQueries.PageAsync) and for one feed.
/// </summary>
public static class UnreadCountBenchmarks
{
    private const int Feeds = 100;
    private const int ItemsPerFeed = 1_000;
    private const int Runs = 21;
    private const long UserId = 1;
    private const string Index = "IX_UnreadItems_UserId_FeedId_ItemId";

    public static async Task<IReadOnlyList<BenchRow>> RunAsync()
    {
        var rows = new List<BenchRow>();
        foreach (var unreadShare in new[] { 0.05, 1.0 })
        {
            using var bench = await BenchDatabase.CreateAsync();
            Seed(bench, unreadShare);
            var with = await MeasureAsync(bench);
            Exec(bench, $"DROP INDEX \"{Index}\"");
            var without = await MeasureAsync(bench);
            var share = unreadShare.ToString("P0", CultureInfo.InvariantCulture);
            var data = $"{Feeds * ItemsPerFeed:N0} items, {share} unread";
            rows.Add(Row($"feeds list (unread count of {Feeds} feeds), {data}, without the index: p50 (ms)", without.List, null, without.ListPlan));
            rows.Add(Row($"feeds list (unread count of {Feeds} feeds), {data}, with {Index}: p50 (ms)", with.List, without.List / with.List, with.ListPlan));
            rows.Add(Row($"one feed's unread count, {data}, without the index: p50 (ms)", without.One, null, without.OnePlan));
            rows.Add(Row($"one feed's unread count, {data}, with {Index}: p50 (ms)", with.One, without.One / with.One, with.OnePlan));
        }
        return rows;
    }

    private static BenchRow Row(string metric, double ms, double? speedUp, string plan) => new(
        "reader",
        metric,
        ms.ToString("0.000", CultureInfo.InvariantCulture),
        speedUp is { } s ? string.Create(CultureInfo.InvariantCulture, $"{1 / s:0.00}") : "1.00",
        speedUp is null ? $"reference; plan: {plan}" : $"ratio to without; plan: {plan}");

    private static async Task<(double List, double One, string ListPlan, string OnePlan)> MeasureAsync(BenchDatabase bench)
    {
        await using var db = await bench.Contexts.CreateDbContextAsync();
        var list = new List<double>();
        var one = new List<double>();
        const long feedId = Feeds / 2;
        for (var run = 0; run < Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            var feeds = (await FeedQueries.PageAsync(db, UserId, null, Feeds, default)).Feeds;
            list.Add(watch.Elapsed.TotalMilliseconds);
            if (feeds.Count != Feeds)
            {
                throw new InvalidOperationException($"expected {Feeds} feeds, got {feeds.Count}");
            }
            watch.Restart();
            await db.UnreadItems.CountAsync(u => u.UserId == UserId && u.FeedId == feedId);
            one.Add(watch.Elapsed.TotalMilliseconds);
        }
        // The plans of the statements EF sends, to show which index each used.
        var listSql = db.Subscriptions.Where(s => s.UserId == UserId)
            .Select(s => db.UnreadItems.Count(u => u.UserId == UserId && u.FeedId == s.FeedId)).ToQueryString();
        var oneSql = $"SELECT COUNT(*) FROM \"UnreadItems\" WHERE \"UserId\" = {UserId} AND \"FeedId\" = {feedId}";
        return (Stats.Median(list), Stats.Median(one), Plan(bench, listSql), Plan(bench, oneSql));
    }

    private static void Seed(BenchDatabase bench, double unreadShare)
    {
        using var connection = bench.OpenRaw();
        using var tx = connection.BeginTransaction();
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        using var feed = Command(connection, tx, "INSERT INTO \"Feeds\" (\"Url\", \"Title\", \"CreatedAt\", \"ConsecutiveFailures\") VALUES ($url, $title, $now, 0)");
        using var user = Command(connection, tx, """
            INSERT INTO "Users" ("Username", "IsAdmin", "SecurityStamp", "CreatedAt") VALUES ($name, 0, 'bench', $now)
            """);
        foreach (var name in new[] { "reader", "other" })
        {
            user.Parameters.AddWithValue("$name", name);
            user.Parameters.AddWithValue("$now", now);
            user.ExecuteNonQuery();
            user.Parameters.Clear();
        }
        using var subscribe = Command(connection, tx, """
            INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt") VALUES (1, $feed, $now), (2, $feed, $now)
            """);
        using var item = Command(connection, tx, """
            INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "ContentHtml", "PublishedAt", "CreatedAt")
            VALUES ($feed, $key, $title, $content, $now, $now) RETURNING "Id"
            """);
        // The other user has read nothing: their rows are in the index too.
        using var unread = Command(connection, tx, """
            INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId") VALUES ($user, $item, $feed)
            """);
        var unreadPerFeed = (int)Math.Round(ItemsPerFeed * unreadShare);
        for (var f = 1; f <= Feeds; f++)
        {
            feed.Parameters.Clear();
            feed.Parameters.AddWithValue("$url", $"https://feed{f}.example/rss");
            feed.Parameters.AddWithValue("$title", $"Feed {f}");
            feed.Parameters.AddWithValue("$now", now);
            feed.ExecuteNonQuery();
            subscribe.Parameters.Clear();
            subscribe.Parameters.AddWithValue("$feed", f);
            subscribe.Parameters.AddWithValue("$now", now);
            subscribe.ExecuteNonQuery();
            for (var i = 1; i <= ItemsPerFeed; i++)
            {
                item.Parameters.Clear();
                item.Parameters.AddWithValue("$feed", f);
                item.Parameters.AddWithValue("$key", $"guid:{i}");
                item.Parameters.AddWithValue("$title", $"Item {i} of feed {f}");
                // Items carry some content, as real ones do: rows span more pages without an index.
                item.Parameters.AddWithValue("$content", new string('x', 400));
                item.Parameters.AddWithValue("$now", now);
                var id = (long)item.ExecuteScalar()!;
                // The newest items are the reader's unread ones, as in a reader that is kept up to date.
                foreach (var (userId, isUnread) in new[] { (UserId, i > ItemsPerFeed - unreadPerFeed), (2L, true) })
                {
                    if (isUnread)
                    {
                        unread.Parameters.Clear();
                        unread.Parameters.AddWithValue("$user", userId);
                        unread.Parameters.AddWithValue("$feed", f);
                        unread.Parameters.AddWithValue("$item", id);
                        unread.ExecuteNonQuery();
                    }
                }
            }
        }
        tx.Commit();
        Exec(bench, "ANALYZE");
    }

    private static string Plan(BenchDatabase bench, string sql) =>
        string.Join("; ", bench.QueryPlan(sql).Where(s => s.Contains("FeedItems", StringComparison.Ordinal) || s.Contains("INDEX", StringComparison.Ordinal)));

    private static void Exec(BenchDatabase bench, string sql)
    {
        using var connection = bench.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }
}
