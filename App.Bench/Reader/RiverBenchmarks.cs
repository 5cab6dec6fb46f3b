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
    private const string ReadAndRefreshed = ", after 30,000 unread marked read and 5,000 new items, then autovacuum's turn";

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
            const string section = "reader-rivers (PostgreSQL)";
            var rows = await MeasureAsync(db, section, query => PostgresPlanAsync(db, query), () => ForgetVisibilityAsync(dataSource));
            await ReadAndRefreshAsync(dataSource);
            return [.. rows, .. await FeedsListAsync(db, section, ReadAndRefreshed, query => PostgresPlanAsync(db, query))];
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
    /// From an UnreadItems all-visible again, what a live install does to it between two looks at
    /// the feeds list: the reader marks 30 % of their unread read (30,000 rows, spread over every
    /// feed and so over every page of theirs) and a refresh brings 10 new items to each feed, unread
    /// for both readers (10,000 rows); then autovacuum has two naptimes (the server's
    /// <c>autovacuum_naptime</c>) to come by. Whether it does depends on UnreadItems' thresholds:
    /// the defaults wait for 20 % of the table (120,000 rows) to change.
    /// </summary>
    private static async Task ReadAndRefreshAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await SynchronousCommitAsync(connection);
        await VacuumUntilAllVisibleAsync(connection, """VACUUM (ANALYZE) "UnreadItems" """);
        await using (var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_visibility", connection))
        {
            await extension.ExecuteNonQueryAsync();
        }
        var before = await ScalarAsync<long>(connection, AutovacuumCount);
        await using (var command = new NpgsqlCommand($$"""
            DELETE FROM "UnreadItems" WHERE "UserId" = {{UserId}} AND "ItemId" % 10 < 3;
            INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "ContentHtml", "Excerpt", "ContentText", "PublishedAt", "CreatedAt")
                SELECT f, 'guid:' || i, 'Item ' || i || ' of feed ' || f, repeat('x', 400),
                    'An excerpt of the item, as the worker stores it for lists.',
                    'Notes on topic' || (i % 100) || ' and subject' || ((i * 7 + f) % 1000) || '. A sentence about databases that every item shares.',
                    @now, @now
                FROM generate_series({{ItemsPerFeed + 1}}, {{ItemsPerFeed + 10}}) AS i, generate_series(1, {{Feeds}}) AS f ORDER BY i, f;
            INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
                SELECT u, i."Id", i."FeedId" FROM "FeedItems" AS i, generate_series(1, 2) AS u
                WHERE split_part(i."Key", ':', 2)::int > {{ItemsPerFeed}} ORDER BY i."Id", u;
            """, connection))
        {
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue("now", DateTime.UtcNow);
            await command.ExecuteNonQueryAsync();
        }
        var naptime = await ScalarAsync<string>(connection, "SELECT setting FROM pg_settings WHERE name = 'autovacuum_naptime'");
        var patience = TimeSpan.FromSeconds(2 * int.Parse(naptime, CultureInfo.InvariantCulture) + 10);
        var waited = Stopwatch.StartNew();
        var ran = false;
        while (!ran && waited.Elapsed < patience)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            ran = await ScalarAsync<long>(connection, AutovacuumCount) > before;
        }
        // pg_class' relallvisible is only written by VACUUM and ANALYZE: the map itself says what the scans will find.
        var visible = await ScalarAsync<string>(connection, """
            SELECT count(*) FILTER (WHERE all_visible) || '/' || count(*) FROM pg_visibility_map('"UnreadItems"')
            """);
        var options = await ScalarAsync<string>(connection, """SELECT coalesce(array_to_string(reloptions, ', '), 'defaults') FROM pg_class WHERE relname = 'UnreadItems'""");
        Console.Error.WriteLine(ran
            ? $"rivers on PostgreSQL: autovacuum ran on UnreadItems ({options}) {waited.Elapsed.TotalSeconds:0} s after the reading; all-visible pages: {visible}"
            : $"rivers on PostgreSQL: autovacuum did not run on UnreadItems ({options}) in {patience.TotalSeconds:0} s; all-visible pages: {visible}");
    }

    private const string AutovacuumCount = "SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = 'UnreadItems'";

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
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
        await using var connection = await dataSource.OpenConnectionAsync();
        await SynchronousCommitAsync(connection);
        await using (var command = new NpgsqlCommand($$"""
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
            """, connection))
        {
            command.CommandTimeout = 0;
            command.Parameters.AddWithValue("now", DateTime.UtcNow);
            await command.ExecuteNonQueryAsync();
        }
        await VacuumUntilAllVisibleAsync(connection, "VACUUM (ANALYZE)");
    }

    /// <summary>
    /// Makes this session's commits wait for their WAL flush, whatever the server's default. VACUUM
    /// marks a page all-visible only once the inserting transaction's commit is known flushed, and
    /// it asks the commit log, which keeps one LSN per group of 32 transaction ids: the newest
    /// commit of the group. With <c>synchronous_commit=off</c> (the tests' and the bench's cluster),
    /// the seed's own commit was flushed within a second, but <c>VACUUM (ANALYZE)</c> commits each
    /// table's ANALYZE as it goes, asynchronously too, with transaction ids next to the seed's: when
    /// they fell in its group, the next table's VACUUM found the group's LSN not yet flushed and set
    /// no hint bit and no page all-visible (0 of UnreadItems' 3,824 pages in 4 runs of 6, the seed's
    /// transaction id, where read, 9 to 11 places into its group; every page when it was the last of its group,
    /// or with this setting).
    /// </summary>
    private static async Task SynchronousCommitAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SET synchronous_commit = on", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs <paramref name="vacuum"/>, again (a plain VACUUM, at most twice) while a table the river
    /// and the feeds list read has a page not all-visible: an autovacuum ANALYZE commits
    /// asynchronously on a cluster set so, and may still land in the group of the rows' transaction.
    /// </summary>
    private static async Task VacuumUntilAllVisibleAsync(NpgsqlConnection connection, string vacuum)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using (var command = new NpgsqlCommand(vacuum, connection))
            {
                command.CommandTimeout = 0;
                await command.ExecuteNonQueryAsync();
            }
            // Index-only scans read the heap for every row on a page not marked all-visible.
            await using var visible = new NpgsqlCommand("""
                SELECT string_agg(relname || ' ' || relallvisible || '/' || relpages, ', ' ORDER BY relname), bool_and(relallvisible = relpages)
                FROM pg_class WHERE relname IN ('FeedItems', 'UnreadItems', 'StarredItems', 'Subscriptions')
                """, connection);
            await using var reader = await visible.ExecuteReaderAsync();
            await reader.ReadAsync();
            Console.Error.WriteLine($"rivers on PostgreSQL: all-visible pages after {vacuum}: {reader.GetString(0)}");
            if (reader.GetBoolean(1) || attempt == 3)
            {
                return;
            }
            vacuum = "VACUUM";
        }
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
