using System.Diagnostics;
using System.Globalization;
using App.Bench.Support;
using App.Data;
using App.Data.Postgres;
using App.Tests.Support;
using App.Web.Feeds;
using App.Web.Folders;
using App.Web.Items;
using App.Web.Rivers;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace App.Bench.Reader;

/// <summary>
/// Rivers and the feeds list at the size: 500 feeds of 2,000 items each (1,000,000 items,
/// 400 bytes of content each), one user subscribed to all of them in 10 folders of 50, another user
/// following the same feeds; the reader has the newest 10 % of each feed unread. Each row times the
/// queries a page makes (through the pages' own code: RiverQueries, the unread count, FeedQueries and
/// the folders), not the HTML rendering, and shows the river statement's plan. Each item's plain
/// text names one of 100 topics and one of 1,000 subjects and ends in a sentence every item shares,
/// so searches match 1,000, 10,000 or all 1,000,000 items.
/// </summary>
public static class RiverBenchmarks
{
    private const int Feeds = 500;
    private const int ItemsPerFeed = 2_000;
    private const int FeedsPerFolder = 50;
    private const double UnreadShare = 0.10;
    private const int Runs = 60;
    private const int SearchRuns = 15;
    private const long UserId = 1;
    private const long CaughtUpUserId = 3;
    private const int PlanNodes = 10;

    /// <summary>
    /// The rows on SQLite; then on PostgreSQL too when <c>BENCH_POSTGRES</c> names a server.
    /// </summary>
    public static async Task<IReadOnlyList<BenchRow>> RunAsync()
    {
        var rows = new List<BenchRow>();
        using (var bench = await BenchDatabase.CreateAsync())
        {
            var seed = Stopwatch.StartNew();
            Seed(bench);
            Console.Error.WriteLine($"rivers: seeded {Feeds * ItemsPerFeed:N0} items in {seed.Elapsed.TotalSeconds:0} s");
            await using var db = await bench.Contexts.CreateDbContextAsync();
            rows.AddRange(await MeasureAsync(db, "reader-rivers", query => Task.FromResult(Plan(bench, query.ToQueryString()))));
        }
        if (Environment.GetEnvironmentVariable("BENCH_POSTGRES") is { Length: > 0 })
        {
            rows.AddRange(await PostgresAsync());
        }
        return rows;
    }

    /// <summary>
    /// The same rows on PostgreSQL, on the server <c>BENCH_POSTGRES</c> names (else a throwaway
    /// cluster, fsync off, as the tests run it), in a database of its own that is dropped after.
    /// </summary>
    public static async Task<IReadOnlyList<BenchRow>> PostgresAsync()
    {
        var admin = Environment.GetEnvironmentVariable("BENCH_POSTGRES") is { Length: > 0 } given
            ? new NpgsqlConnectionStringBuilder(given) { Database = "postgres" }.ConnectionString
            : await PostgresCluster.StartAsync();
        var name = $"bench_rivers_{Environment.ProcessId}";
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        try
        {
            await using var dataSource = PostgresSetup.DataSource(connectionString);
            var options = new DbContextOptionsBuilder<AppDbContext>();
            PostgresSetup.Apply(options, dataSource);
            var contexts = new PooledDbContextFactory<AppDbContext>(options.Options);
            await using (var migrate = await contexts.CreateDbContextAsync())
            {
                await DatabaseSetup.MigrateAsync(migrate, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10));
            }
            var seed = Stopwatch.StartNew();
            await SeedPostgresAsync(dataSource);
            Console.Error.WriteLine($"rivers on PostgreSQL: seeded {Feeds * ItemsPerFeed:N0} items in {seed.Elapsed.TotalSeconds:0} s");
            await using var db = await contexts.CreateDbContextAsync();
            return await MeasureAsync(db, "reader-rivers (PostgreSQL)", query => PostgresPlanAsync(db, query), () => ForgetVisibilityAsync(dataSource));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    /// <summary>The rows, on <paramref name="db"/>'s engine; <paramref name="plan"/> gives a query's plan in one line.</summary>
    /// <remarks>
    /// <paramref name="forgetVisibility"/>, when given, clears the visibility map of the unread rows
    /// before the feeds list is measured a second time: on a live install readers and the worker
    /// change those rows all day, so most pages are not all-visible between autovacuum runs.
    /// </remarks>
    private static async Task<IReadOnlyList<BenchRow>> MeasureAsync(
        AppDbContext db, string section, Func<IQueryable, Task<string>> plan, Func<Task>? forgetVisibility = null)
    {
        var rows = new List<BenchRow>();
        var middle = (long)Feeds * ItemsPerFeed / 2;
        var cases = new (string Name, ItemFilter Filter, long? Cursor, bool Oldest)[]
        {
            ("All unread, first page", new ItemFilter(Unread: true), null, false),
            ("All unread, a page deep in it", new ItemFilter(Unread: true), (long)(Feeds * ItemsPerFeed * 0.95), false),
            ("All unread, oldest first", new ItemFilter(Unread: true), null, true),
            ("All, first page", new ItemFilter(), null, false),
            ("All, page at the middle", new ItemFilter(), middle, false),
            ("All, oldest first", new ItemFilter(), null, true),
            ("folder (50 feeds), unread", new ItemFilter(Unread: true, FolderId: 3), null, false),
            ("folder (50 feeds), all, page at the middle", new ItemFilter(FolderId: 3), middle, false),
            ("Starred (1,000 stars)", new ItemFilter(Starred: true), null, false),
        };
        foreach (var (name, filter, cursor, oldest) in cases)
        {
            var samples = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var watch = Stopwatch.StartNew();
                var page = await RiverQueries.PageAsync(db, UserId, filter, cursor, oldest, RiverModel.PageSize + 1, default);
                var unread = db.UnreadItems.Where(u => u.UserId == UserId);
                if (filter.FolderId is { } folder)
                {
                    unread = unread.Where(u => db.Subscriptions.Any(s => s.UserId == UserId && s.FeedId == u.FeedId && s.FolderId == folder));
                }
                await unread.CountAsync();
                samples.Add(watch.Elapsed.TotalMilliseconds);
                if (page.Count == 0)
                {
                    throw new InvalidOperationException($"{name}: empty page");
                }
            }
            var query = RiverQueries.Page(db, UserId, filter, cursor, oldest, RiverModel.PageSize + 1);
            rows.Add(Row(section, $"river page, {name}: page + unread count, p50 / p95 (ms)", samples, await plan(query)));
        }
        // Words match whole words; a word ending in * is a prefix (FTS5 keeps indexes of prefixes
        // of 1 to 3 characters; a longer one is merged from every word that starts with it).
        var searches = new (string Name, string Text, bool? Unread, bool? Starred, long? Cursor, long User)[]
        {
            ("a word in 1,000 items", "subject123", null, null, null, UserId),
            ("a word in 10,000 items", "topic7", null, null, null, UserId),
            ("a word in 10,000 items, unread only", "topic7", true, null, null, UserId),
            ("a word in every item, unread only", "databases", true, null, null, UserId),
            ("a word in every item, starred only (1,000 stars)", "databases", null, true, null, UserId),
            ("a word in every item, unread only, a reader with 300 unread", "databases", true, null, null, CaughtUpUserId),
            ("a word in 10,000 items, unread only, a reader with 300 unread", "topic7", true, null, null, CaughtUpUserId),
            ("a prefix of 1,000 words in every item", "subj*", null, null, null, UserId),
            ("a word in every item", "databases", null, null, null, UserId),
            ("a word in every item, page at the middle", "databases", null, null, middle, UserId),
            ("a 2-letter prefix of 1,000 words in every item", "su*", null, null, null, UserId),
            ("a 2-letter prefix, page at the middle", "su*", null, null, middle, UserId),
            ("a 1-letter prefix of 1,002 words in every item", "s*", null, null, null, UserId),
            ("a 1-letter prefix, page at the middle", "s*", null, null, middle, UserId),
            ("two words in every item, page at the middle", "databases shares", null, null, middle, UserId),
            ("a phrase in every item", "\"about databases\"", null, null, null, UserId),
        };
        foreach (var (name, text, unreadOnly, starredOnly, cursor, user) in searches)
        {
            var filter = new ItemFilter(Unread: unreadOnly, Starred: starredOnly, Search: App.Web.Search.SearchQuery.Parse(text));
            var samples = new List<double>();
            for (var run = 0; run < SearchRuns; run++)
            {
                var watch = Stopwatch.StartNew();
                var page = await RiverQueries.PageAsync(db, user, filter, cursor, false, RiverModel.PageSize + 1, default);
                samples.Add(watch.Elapsed.TotalMilliseconds);
                if (page.Count == 0)
                {
                    throw new InvalidOperationException($"search {name}: empty page");
                }
            }
            var query = RiverQueries.Page(db, user, filter, cursor, false, RiverModel.PageSize + 1);
            rows.Add(Row(section, $"search page, {name} ({text}), p50 / p95 (ms)", samples, await plan(query)));
        }
        // What the feeds list (/) reads: a page of feeds in the grouped order with each feed's
        // counts, every folder with its counts, and the unread total.
        rows.AddRange(await FeedsListAsync(db, section, "", plan));
        if (forgetVisibility is not null)
        {
            await forgetVisibility();
            rows.AddRange(await FeedsListAsync(db, section, ", no page of UnreadItems all-visible", plan));
        }
        return rows;
    }

    /// <summary>The feeds list's first and second page, each with the folders and the unread total, as the page reads them.</summary>
    private static async Task<IReadOnlyList<BenchRow>> FeedsListAsync(AppDbContext db, string section, string condition, Func<IQueryable, Task<string>> plan)
    {
        var rows = new List<BenchRow>();
        var pages = new (string Name, long? After)[] { ("first page", null), ("second page", FeedQueries.DefaultFeedLimit) };
        foreach (var (pageName, after) in pages)
        {
            var list = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var watch = Stopwatch.StartNew();
                var page = await FeedQueries.GroupedPageAsync(db, UserId, after, FeedQueries.DefaultFeedLimit, default);
                await FolderQueries.ListAsync(db, UserId, default);
                await db.UnreadItems.CountAsync(u => u.UserId == UserId);
                list.Add(watch.Elapsed.TotalMilliseconds);
                if (page.Feeds.Count != FeedQueries.DefaultFeedLimit)
                {
                    throw new InvalidOperationException($"feeds list, {pageName}: {page.Feeds.Count} feeds");
                }
            }
            var position = after is { } a ? await FeedQueries.PositionAsync(db, UserId, a, default) : null;
            var pageQuery = FeedQueries.GroupedPageQuery(db, UserId, position, FeedQueries.DefaultFeedLimit + 1);
            rows.Add(Row(section, $"feeds list, {pageName}{condition} ({FeedQueries.DefaultFeedLimit} of {Feeds} feeds in 10 folders with their unread and item counts; every folder's unread count; the unread total), p50 / p95 (ms)",
                list, await plan(pageQuery)));
        }
        return rows;
    }

    /// <summary>
    /// Clears the visibility map of UnreadItems (pg_visibility) and re-reads its statistics, so that
    /// the planner and the index-only scans see the table as a live install's usually is.
    /// </summary>
    private static async Task ForgetVisibilityAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("""
            CREATE EXTENSION IF NOT EXISTS pg_visibility;
            SELECT pg_truncate_visibility_map('"UnreadItems"');
            ANALYZE "UnreadItems";
            """);
        await command.ExecuteNonQueryAsync();
        await using var visible = dataSource.CreateCommand("""SELECT relallvisible || '/' || relpages FROM pg_class WHERE relname = 'UnreadItems'""");
        Console.Error.WriteLine($"rivers on PostgreSQL: UnreadItems all-visible pages after clearing the map: {await visible.ExecuteScalarAsync()}");
    }

    private static BenchRow Row(string section, string metric, List<double> samples, string plan) => new(
        section,
        $"{metric}, {Feeds * ItemsPerFeed:N0} items",
        string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(samples):0.00} / {Stats.Percentile(samples, 95):0.00}"),
        null,
        $"target ≤ 50 ms p95; plan: {plan}");

    private static void Seed(BenchDatabase bench)
    {
        using var connection = bench.OpenRaw();
        using var tx = connection.BeginTransaction();
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        void Exec(string sql)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$now", now);
            command.ExecuteNonQuery();
        }
        Exec("""INSERT INTO "Users" ("Username", "IsAdmin", "SecurityStamp", "CreatedAt") VALUES ('reader', 0, 'bench', $now), ('other', 0, 'bench', $now)""");
        for (var f = 1; f <= Feeds / FeedsPerFolder; f++)
        {
            Exec($"""INSERT INTO "Folders" ("UserId", "Name", "CreatedAt") VALUES (1, 'Folder {f}', $now)""");
        }
        using var feed = Command(connection, tx, """INSERT INTO "Feeds" ("Url", "Title", "CreatedAt", "ConsecutiveFailures") VALUES ($url, $title, $now, 0)""");
        using var subscribe = Command(connection, tx, """
            INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt", "FolderId") VALUES (1, $feed, $now, $folder), (2, $feed, $now, NULL)
            """);
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
            subscribe.Parameters.AddWithValue("$folder", (f - 1) / FeedsPerFolder + 1);
            subscribe.ExecuteNonQuery();
        }
        // Feeds publish in turns, as real ones do: item ids interleave the feeds.
        using var item = Command(connection, tx, """
            INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "ContentHtml", "Excerpt", "ContentText", "PublishedAt", "CreatedAt")
            VALUES ($feed, $key, $title, $content, $excerpt, $text, $now, $now) RETURNING "Id"
            """);
        using var unread = Command(connection, tx, """INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId") VALUES ($user, $item, $feed)""");
        var content = new string('x', 400);
        var unreadFrom = (int)(ItemsPerFeed * (1 - UnreadShare));
        for (var i = 1; i <= ItemsPerFeed; i++)
        {
            for (var f = 1; f <= Feeds; f++)
            {
                item.Parameters.Clear();
                item.Parameters.AddWithValue("$feed", f);
                item.Parameters.AddWithValue("$key", $"guid:{i}");
                item.Parameters.AddWithValue("$title", $"Item {i} of feed {f}");
                item.Parameters.AddWithValue("$content", content);
                item.Parameters.AddWithValue("$excerpt", "An excerpt of the item, as the worker stores it for lists.");
                item.Parameters.AddWithValue("$text", string.Create(CultureInfo.InvariantCulture,
                    $"Notes on topic{i % 100} and subject{(i * 7 + f) % 1000}. A sentence about databases that every item shares."));
                item.Parameters.AddWithValue("$now", now);
                var id = (long)item.ExecuteScalar()!;
                foreach (var (user, isUnread) in new[] { (UserId, i > unreadFrom), (2L, i > ItemsPerFeed / 2) })
                {
                    if (isUnread)
                    {
                        unread.Parameters.Clear();
                        unread.Parameters.AddWithValue("$user", user);
                        unread.Parameters.AddWithValue("$item", id);
                        unread.Parameters.AddWithValue("$feed", f);
                        unread.ExecuteNonQuery();
                    }
                }
            }
        }
        Exec("""INSERT INTO "StarredItems" ("UserId", "ItemId", "FeedId", "StarredAt") SELECT 1, "Id", "FeedId", $now FROM "FeedItems" WHERE "Id" % 1000 = 0""");
        // A third reader follows every feed and has read all but 300 items, spread over the years.
        Exec("""INSERT INTO "Users" ("Username", "IsAdmin", "SecurityStamp", "CreatedAt") VALUES ('caught-up', 0, 'bench', $now)""");
        Exec("""INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt") SELECT 3, "Id", $now FROM "Feeds" """);
        Exec("""INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId") SELECT 3, "Id", "FeedId" FROM "FeedItems" WHERE "Id" % 3333 = 0""");
        tx.Commit();
        using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        analyze.ExecuteNonQuery();
    }

    /// <summary>
    /// The same data as <see cref="Seed"/>, made by the server (generate_series) rather than sent
    /// row by row: items in the same interleaved order (so ids interleave the feeds alike), the same
    /// unread and starred rows. VACUUM as well as ANALYZE: autovacuum would set the visibility map
    /// of a table that stopped changing, and the index-only scans of a steady install depend on it.
    /// </summary>
    private static async Task SeedPostgresAsync(NpgsqlDataSource dataSource)
    {
        var unreadFrom = (int)(ItemsPerFeed * (1 - UnreadShare));
        await using (var command = dataSource.CreateCommand($$"""
            INSERT INTO "Users" ("Username", "IsAdmin", "SecurityStamp", "CreatedAt") VALUES ('reader', false, 'bench', @now), ('other', false, 'bench', @now);
            INSERT INTO "Folders" ("UserId", "Name", "CreatedAt") SELECT 1, 'Folder ' || f, @now FROM generate_series(1, {{Feeds / FeedsPerFolder}}) AS f ORDER BY f;
            INSERT INTO "Feeds" ("Url", "Title", "CreatedAt", "ConsecutiveFailures")
                SELECT 'https://feed' || f || '.example/rss', 'Feed ' || f, @now, 0 FROM generate_series(1, {{Feeds}}) AS f ORDER BY f;
            INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt", "FolderId")
                SELECT u, f, @now, CASE WHEN u = 1 THEN (f - 1) / {{FeedsPerFolder}} + 1 END
                FROM generate_series(1, {{Feeds}}) AS f, generate_series(1, 2) AS u ORDER BY f, u;
            INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "ContentHtml", "Excerpt", "ContentText", "PublishedAt", "CreatedAt")
                SELECT f, 'guid:' || i, 'Item ' || i || ' of feed ' || f, repeat('x', 400),
                    'An excerpt of the item, as the worker stores it for lists.',
                    'Notes on topic' || (i % 100) || ' and subject' || ((i * 7 + f) % 1000) || '. A sentence about databases that every item shares.',
                    @now, @now
                FROM generate_series(1, {{ItemsPerFeed}}) AS i, generate_series(1, {{Feeds}}) AS f ORDER BY i, f;
            INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
                SELECT u.id, i."Id", i."FeedId"
                FROM "FeedItems" AS i, (VALUES (1, {{unreadFrom}}), (2, {{ItemsPerFeed / 2}})) AS u (id, after)
                WHERE split_part(i."Key", ':', 2)::int > u.after
                ORDER BY i."Id", u.id;
            INSERT INTO "StarredItems" ("UserId", "ItemId", "FeedId", "StarredAt") SELECT 1, "Id", "FeedId", @now FROM "FeedItems" WHERE "Id" % 1000 = 0;
            INSERT INTO "Users" ("Username", "IsAdmin", "SecurityStamp", "CreatedAt") VALUES ('caught-up', false, 'bench', @now);
            INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt") SELECT 3, "Id", @now FROM "Feeds";
            INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId") SELECT 3, "Id", "FeedId" FROM "FeedItems" WHERE "Id" % 3333 = 0;
            """))
        {
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue("now", DateTime.UtcNow);
            await command.ExecuteNonQueryAsync();
        }
        await using (var vacuum = dataSource.CreateCommand("VACUUM (ANALYZE)"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
        // Index-only scans read the heap for every row on a page not marked all-visible.
        await using var visible = dataSource.CreateCommand("""
            SELECT string_agg(relname || ' ' || relallvisible || '/' || relpages, ', ' ORDER BY relname) FROM pg_class
            WHERE relname IN ('FeedItems', 'UnreadItems', 'StarredItems', 'Subscriptions')
            """);
        Console.Error.WriteLine($"rivers on PostgreSQL: all-visible pages after VACUUM: {await visible.ExecuteScalarAsync()}");
    }

    /// <summary>
    /// PostgreSQL's plan (EXPLAIN, without costs) in one line: its nodes from the top, without their
    /// detail lines (sort keys, conditions); the parameters bound as the app binds them.
    /// </summary>
    private static async Task<string> PostgresPlanAsync(AppDbContext db, IQueryable query)
    {
        await using var command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN (COSTS OFF) " + command.CommandText;
        await db.Database.OpenConnectionAsync();
        try
        {
            var nodes = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            for (var first = true; await reader.ReadAsync(); first = false)
            {
                var line = reader.GetString(0).Trim();
                if (first || line.StartsWith("->", StringComparison.Ordinal))
                {
                    nodes.Add(line.TrimStart('-', '>', ' '));
                }
            }
            return string.Join("; ", nodes.Take(PlanNodes)) + (nodes.Count > PlanNodes ? "; …" : "");
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Plan(BenchDatabase bench, string sql) => string.Join("; ", bench.QueryPlan(sql));

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }
}
