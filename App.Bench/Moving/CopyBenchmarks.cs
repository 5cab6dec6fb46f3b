using System.Diagnostics;
using System.Globalization;
using App.Bench.Support;
using App.Data.Moving;
using App.Tests.Support;
using Npgsql;

namespace App.Bench.Moving;

/// <summary>
/// <c>copy-to-postgres</c> on a large install: 100 feeds with 1,000 items each (about 3 KB of
/// article HTML and text per item), three users subscribed to all of them with every item unread,
/// and a week of finished fetch jobs, copied into an empty (unmigrated) PostgreSQL database. The
/// copy runs in this process, so that its memory can be sampled while it streams.
/// </summary>
public static class CopyBenchmarks
{
    private const string Section = "moving an install to PostgreSQL";
    private const int Feeds = 100;
    private const int ItemsPerFeed = 1000;
    private const int Users = 3;
    private const int Jobs = 20_000;
    private const int Runs = 3;

    public static async Task<IReadOnlyList<BenchRow>> RunAsync()
    {
        using var source = await BenchDatabase.CreateAsync();
        Fill(source);
        var sourceBytes = new FileInfo(source.ConnectionString["Data Source=".Length..]).Length;
        var admin = Environment.GetEnvironmentVariable("BENCH_POSTGRES") is { Length: > 0 } given
            ? new NpgsqlConnectionStringBuilder(given) { Database = "postgres" }.ConnectionString
            : await PostgresCluster.StartAsync();

        var seconds = new List<double>();
        var heapPeaks = new List<double>();
        CopyReport? report = null;
        for (var run = 0; run < Runs; run++)
        {
            var target = await CreateEmptyDatabaseAsync(admin, run);
            GC.Collect();
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            using var sampling = new CancellationTokenSource();
            var peak = SamplePeakHeapAsync(sampling.Token);
            report = await new SqliteToPostgresCopy(TimeProvider.System).RunAsync(source.ConnectionString, target, line => Console.Error.WriteLine(line));
            await sampling.CancelAsync();
            seconds.Add(report.Elapsed.TotalSeconds);
            heapPeaks.Add((await peak - heapBefore) / 1024.0 / 1024.0);
            NpgsqlConnection.ClearAllPools();
        }
        var rows = report!.TotalRows;
        var items = report.Tables.Single(t => t.Name == "FeedItems");
        return
        [
            new BenchRow(Section, $"copy of {Feeds * ItemsPerFeed:N0} items, {rows:N0} rows in all (s)",
                $"{Stats.Median(seconds):0.0}", null,
                $"median of {Runs} (range {seconds.Min():0.0}–{seconds.Max():0.0}); SQLite file {sourceBytes / 1024.0 / 1024.0:N0} MB; includes migrating the empty target; " +
                $"FeedItems alone {items.Elapsed.TotalSeconds:0.0} s in the last run"),
            new BenchRow(Section, "rows per second", Num(rows / Stats.Median(seconds)), null, "binary COPY per table, one transaction"),
            new BenchRow(Section, "managed heap above the start, peak (MB)", $"{Stats.Median(heapPeaks):0}", null,
                $"range {heapPeaks.Min():0}–{heapPeaks.Max():0}; sampled every 20 ms: rows stream, the items are never all in memory"),
        ];
    }

    private static async Task<long> SamplePeakHeapAsync(CancellationToken ct)
    {
        long peak = 0;
        while (!ct.IsCancellationRequested)
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            try
            {
                await Task.Delay(20, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return peak;
    }

    /// <summary>The install, written with SQL (set-up, not measured).</summary>
    private static void Fill(BenchDatabase db)
    {
        using var connection = db.OpenRaw();
        using var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = $$"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {{Feeds}})
            INSERT INTO "Feeds" ("Url", "Title", "SiteUrl", "CreatedAt", "LastFetchedAt", "NextRefreshAt", "ConsecutiveFailures", "Disabled")
            SELECT 'https://feeds.example.com/' || i || '.xml', 'Feed ' || i, 'https://example.com/' || i,
                   strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now', '+1 hour'), 0, 0
            FROM n;

            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {{Feeds * ItemsPerFeed}})
            INSERT INTO "FeedItems" ("FeedId", "Key", "Guid", "Title", "Link", "Author", "PublishedAt", "CreatedAt",
                                     "ContentHtml", "ContentText", "Excerpt", "Summary")
            SELECT (i - 1) / {{ItemsPerFeed}} + 1, 'guid:' || i, 'urn:item:' || i, 'Item number ' || i, 'https://example.com/items/' || i,
                   'Author ' || (i % 50), strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || i || ' minutes'), strftime('%Y-%m-%d %H:%M:%f', 'now'),
                   '<article><p>' || hex(randomblob(700)) || '</p></article>', hex(randomblob(400)), substr(hex(randomblob(150)), 1, 280), 'Summary of item ' || i
            FROM n;

            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {{Users}})
            INSERT INTO "Users" ("Username", "PasswordHash", "SecurityStamp", "IsAdmin", "CreatedAt")
            SELECT 'user' || i, 'hash', 'stamp', i = 1, strftime('%Y-%m-%d %H:%M:%f', 'now') FROM n;

            INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt", "FetchOriginalContent")
            SELECT u."Id", f."Id", strftime('%Y-%m-%d %H:%M:%f', 'now'), 0 FROM "Users" u CROSS JOIN "Feeds" f;

            INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
            SELECT s."UserId", i."Id", i."FeedId" FROM "Subscriptions" s JOIN "FeedItems" i ON i."FeedId" = s."FeedId";

            INSERT INTO "StarredItems" ("UserId", "ItemId", "FeedId", "StarredAt")
            SELECT 1, "Id", "FeedId", strftime('%Y-%m-%d %H:%M:%f', 'now') FROM "FeedItems" WHERE "Id" % 100 = 0;

            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {{Jobs}})
            INSERT INTO "Jobs" ("Type", "Payload", "FeedId", "State", "Priority", "RunAt", "Attempts", "MaxAttempts", "CreatedAt", "StartedAt", "FinishedAt", "LeaseOwner", "Version")
            SELECT 'fetch-feed', '{"feedId":' || ((i - 1) % {{Feeds}} + 1) || '}', (i - 1) % {{Feeds}} + 1, 'succeeded', 0,
                   strftime('%Y-%m-%d %H:%M:%f', 'now'), 1, 5, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'),
                   strftime('%Y-%m-%d %H:%M:%f', 'now'), 'worker-1', 2
            FROM n;
            UPDATE "JobStateCounts" SET "Count" = {{Jobs}} WHERE "State" = 'succeeded';
            """;
        command.ExecuteNonQuery();
        tx.Commit();
    }

    private static async Task<string> CreateEmptyDatabaseAsync(string admin, int run)
    {
        var name = $"bench_copy_{Environment.ProcessId}_{run}";
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection))
        {
            await drop.ExecuteNonQueryAsync();
        }
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private static string Num(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
