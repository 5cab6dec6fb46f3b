using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using App.Bench.Support;
using App.Data.Queue;
using App.Web.Feeds;
using App.Web.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Bench.Reader;

/// <summary>
/// The pages and endpoints that used to read every row — <c>GET /api/feeds</c>, <c>/</c>,
/// <c>/opml/export</c>, <c>GET /api/queue</c> and the dashboard <c>/jobs</c> — timed through a real
/// web process at a small and a large install (500 feeds and 10,000 jobs; 5,000 feeds and 100,000
/// jobs, finished ones spread over the week the retention keeps), with the plans of their statements.
/// A page or a count should cost the same at both; the export writes every feed, so it grows with them.
/// </summary>
public static class ReaderPageBenchmarks
{
    private const string Section = "reader";
    private const int ItemsPerFeed = 20;
    private const int UnreadPerFeed = 5;
    private const int WarmUp = 20;
    private const int Measured = 101;
    private const string User = "bench";
    private const string Password = "bench passphrase";

    public static async Task<IReadOnlyList<BenchRow>> RunAsync()
    {
        var rows = new List<BenchRow>();
        Dictionary<string, double>? small = null;
        foreach (var (feeds, jobs) in new[] { (500, 10_000), (5_000, 100_000) })
        {
            var (medians, scaleRows) = await MeasureAsync(feeds, jobs, small);
            rows.AddRange(scaleRows);
            small ??= medians;
        }
        rows.AddRange(Plans());
        return rows;
    }

    private static async Task<(Dictionary<string, double> Medians, List<BenchRow> Rows)> MeasureAsync(
        int feeds, int jobs, Dictionary<string, double>? reference)
    {
        using var db = await BenchDatabase.CreateAsync();
        var port = FreePort();
        using var web = AppProcess.Start("App.Web", db.ConnectionString, new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Auth:AdminUsername"] = User,
            ["Auth:AdminPassword"] = Password,
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        await WaitForAsync(http);
        var middle = Seed(db, feeds, jobs);

        var requests = new (string Name, string Path)[]
        {
            ("GET /api/feeds (first page of 100)", "/api/feeds"),
            ("GET /api/feeds?after= (a page in the middle)", $"/api/feeds?after={middle}"),
            ("GET / (feeds list, first page)", "/"),
            ("GET /?after= (feeds list, a page in the middle)", $"/?after={middle}"),
            ("GET /api/queue", "/api/queue"),
            ("GET /jobs (dashboard)", "/jobs"),
            ("GET /opml/export (every feed)", "/opml/export"),
        };
        var medians = new Dictionary<string, double>();
        var rows = new List<BenchRow>();
        var scale = $"{feeds:N0} feeds, {jobs:N0} jobs";
        foreach (var (name, path) in requests)
        {
            var samples = new List<double>();
            for (var i = 0; i < WarmUp + Measured; i++)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                if (i >= WarmUp)
                {
                    samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
            var median = Stats.Median(samples);
            medians[name] = median;
            var ratio = reference is not null && reference.TryGetValue(name, out var small)
                ? (median / small).ToString("0.00", CultureInfo.InvariantCulture)
                : "1.00";
            rows.Add(new BenchRow(Section, $"{name}, {scale}: p50 / p95 (ms)",
                $"{Ms(median)} / {Ms(Stats.Percentile(samples, 95))}", ratio,
                reference is null ? "reference: the small install" : "ratio to 500 feeds, 10,000 jobs"));
        }
        // What the same requests read before they were bounded, timed as statements in this process:
        // every job grouped by state (the old /api/queue and dashboard counts) and every feed with
        // its counts (the old GET /api/feeds and /).
        await using var context = await db.Contexts.CreateDbContextAsync();
        var userId = await context.Users.Where(u => u.Username == User).Select(u => u.Id).SingleAsync();
        foreach (var (name, run) in new (string, Func<Task>)[]
        {
            ("before: counts by GROUP BY over every job", () => context.Jobs.GroupBy(j => j.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync()),
            ("before: every feed with its counts in one list", () => FeedQueries.PageQuery(context, userId, null, int.MaxValue).ToListAsync()),
        })
        {
            var samples = new List<double>();
            for (var i = 0; i < 5 + 21; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await run();
                if (i >= 5)
                {
                    samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
            var median = Stats.Median(samples);
            var ratio = reference is not null && reference.TryGetValue(name, out var small)
                ? (median / small).ToString("0.00", CultureInfo.InvariantCulture)
                : "1.00";
            medians[name] = median;
            rows.Add(new BenchRow(Section, $"{name}, {scale}: p50 / p95 (ms)", $"{Ms(median)} / {Ms(Stats.Percentile(samples, 95))}", ratio,
                "the unbounded read, for comparison (a statement, no HTTP)"));
        }
        return (medians, rows);
    }

    /// <summary>The plans of the statements behind those requests, on an empty database (they do not depend on the data: no statistics).</summary>
    private static IEnumerable<BenchRow> Plans()
    {
        using var bench = BenchDatabase.CreateAsync().GetAwaiter().GetResult();
        using var db = bench.Contexts.CreateDbContext();
        var statements = new (string Name, string Sql)[]
        {
            ("feeds page (/api/feeds, /, the export's chunks)", Sql(FeedQueries.PageQuery(db, 1, 100, FeedQueries.DefaultFeedLimit + 1))),
            ("queue counts (/api/queue, /jobs)", JobSql.Sqlite.Counts),
            ("dashboard: running", Sql(DashboardJobs.Running(db))),
            ("dashboard: waiting to retry", Sql(DashboardJobs.Retrying(db))),
            ("dashboard: recent failures", Sql(DashboardJobs.Failures(db))),
            ("dashboard: last hour per minute", Sql(QueueThroughput.CountsSince(db, DateTime.UtcNow.AddHours(-1)))),
        };
        foreach (var (name, sql) in statements)
        {
            yield return new BenchRow(Section, $"plan: {name}", "", null, Plan(bench, sql));
        }
    }

    private static string Sql(IQueryable query) =>
        string.Join("\n", query.ToQueryString().Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));

    private static string Plan(BenchDatabase bench, string sql) => string.Join("; ", bench.QueryPlan(sql));

    /// <summary>
    /// The bench user's feeds, items and unread marks, and jobs in every state: one live fetch per
    /// feed, a few running, the rest finished over the last week (as the retention keeps them).
    /// Returns the feed id in the middle of the list.
    /// </summary>
    private static long Seed(BenchDatabase bench, int feeds, int jobs)
    {
        using var connection = bench.OpenRaw();
        using var tx = connection.BeginTransaction();
        void Exec(string sql)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$feeds", feeds);
            command.Parameters.AddWithValue("$jobs", jobs);
            command.Parameters.AddWithValue("$items", ItemsPerFeed);
            command.Parameters.AddWithValue("$unread", UnreadPerFeed);
            command.Parameters.AddWithValue("$user", User);
            command.ExecuteNonQuery();
        }
        const string Now = "strftime('%Y-%m-%d %H:%M:%f', 'now')";
        Exec($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $feeds)
            INSERT INTO "Feeds" ("Url", "Title", "SiteUrl", "CreatedAt", "LastFetchedAt", "ConsecutiveFailures", "NextRefreshAt")
            SELECT 'https://feed' || i || '.example/rss', 'Feed ' || i, 'https://feed' || i || '.example/', {Now}, {Now}, 0, {Now} FROM n
            """);
        Exec($"""
            INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt")
            SELECT u."Id", f."Id", {Now} FROM "Feeds" AS f, "Users" AS u WHERE u."Username" = $user
            """);
        Exec($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $items)
            INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "Link", "ContentHtml", "PublishedAt", "CreatedAt")
            SELECT f."Id", 'guid:' || n.i, 'Item ' || n.i, 'https://example.com/' || f."Id" || '/' || n.i, '<p>' || hex(randomblob(40)) || '</p>', {Now}, {Now}
            FROM "Feeds" AS f, n
            """);
        Exec("""
            INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
            SELECT u."Id", i."Id", i."FeedId" FROM "FeedItems" AS i, "Users" AS u
            WHERE u."Username" = $user AND CAST(substr(i."Key", 6) AS INTEGER) > $items - $unread
            """);
        // One live fetch per feed: pending, a handful running, some of the pending waiting to retry.
        Exec($"""
            INSERT INTO "Jobs" ("Type", "Payload", "UniqueKey", "FeedId", "State", "Priority", "RunAt", "Attempts", "MaxAttempts",
                                "LeaseOwner", "LeaseExpiresAt", "LastError", "CreatedAt", "StartedAt", "Version")
            SELECT 'fetch-feed', json_object(), 'fetch-feed:' || f."Id", f."Id",
                   CASE WHEN f."Id" % 300 = 0 THEN 'running' ELSE 'pending' END, 0, {Now},
                   CASE WHEN f."Id" % 100 = 1 THEN 2 ELSE 0 END, 5,
                   CASE WHEN f."Id" % 300 = 0 THEN 'bench-worker' END,
                   CASE WHEN f."Id" % 300 = 0 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', '+60 seconds') END,
                   CASE WHEN f."Id" % 100 = 1 THEN 'HTTP 503 Service Unavailable' END, {Now},
                   CASE WHEN f."Id" % 300 = 0 THEN {Now} END, 1
            FROM "Feeds" AS f
            """);
        // The rest finished over the last seven days: 95 % succeeded, 4 % failed, 1 % cancelled.
        Exec("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $jobs - $feeds)
            INSERT INTO "Jobs" ("Type", "Payload", "FeedId", "State", "Priority", "RunAt", "Attempts", "MaxAttempts",
                                "LastError", "CreatedAt", "StartedAt", "FinishedAt", "Version")
            SELECT 'fetch-feed', '{}', 1 + i % $feeds,
                   CASE WHEN i % 100 < 95 THEN 'succeeded' WHEN i % 100 < 99 THEN 'failed' ELSE 'cancelled' END, 0, t, 1, 5,
                   CASE WHEN i % 100 BETWEEN 95 AND 98 THEN 'HTTP 404 Not Found' END, t, t, t, 2
            FROM (SELECT i, strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ((i * 7919) % 604800) || ' seconds') AS t FROM n)
            """);
        // Inserted finished, which the counters do not see: counted again, as the queue's writes would have.
        Exec(JobSql.Sqlite.Recount);
        tx.Commit();
        using var middle = connection.CreateCommand();
        middle.CommandText = "SELECT \"Id\" FROM \"Feeds\" ORDER BY \"Id\" LIMIT 1 OFFSET $half";
        middle.Parameters.AddWithValue("$half", feeds / 2);
        return (long)middle.ExecuteScalar()!;
    }

    private static async Task WaitForAsync(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/api/queue");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException("the web process did not answer");
            }
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
