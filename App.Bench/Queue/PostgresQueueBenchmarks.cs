using System.Diagnostics;
using System.Globalization;
using App.Bench.Support;
using App.Data;
using App.Data.Postgres;
using App.Data.Queue;
using App.Data.Writes;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace App.Bench.Queue;

/// <summary>
/// The queue on PostgreSQL: raw Npgsql limits on the same jobs table (one job per transaction;
/// 64 claimed with SKIP LOCKED and completed over arrays per transaction), then real worker
/// processes draining no-op jobs, and the pickup of an idle worker woken by NOTIFY. On the server
/// <c>BENCH_POSTGRES</c> names, else a throwaway cluster (fsync off, as the tests run it).
/// </summary>
public static class PostgresQueueBenchmarks
{
    private const string Section = "queue on PostgreSQL";

    // BENCH_PG_WORKERS (e.g. "1,4"), BENCH_PG_RUNS and BENCH_PG_PICKUP=0 make a smaller run, to
    // iterate on the drain rows.
    private static readonly int Runs = BenchSetting.Int("BENCH_PG_RUNS", 3);
    private static readonly int[] WorkerCounts = BenchSetting.Ints("BENCH_PG_WORKERS") ?? [1, 2, 4];
    private static readonly bool Pickup = Environment.GetEnvironmentVariable("BENCH_PG_PICKUP") != "0";
    private const int Jobs = 40_000;
    private const int Batch = 64;

    private static int _databases;

    public static async Task<IReadOnlyList<BenchRow>> RunAsync()
    {
        var admin = Environment.GetEnvironmentVariable("BENCH_POSTGRES") is { Length: > 0 } given
            ? new NpgsqlConnectionStringBuilder(given) { Database = "postgres" }.ConnectionString
            : await PostgresCluster.StartAsync();
        await CreateTemplateAsync(admin);
        var rows = new List<BenchRow>();

        var single = new List<double>();
        var batched = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            var db = await CreateDatabaseAsync(admin);
            await InsertJobsAsync(db, Jobs / 10);
            single.Add(await RawAsync(db, 1, Jobs / 10));
            await InsertJobsAsync(db, Jobs);
            batched.Add(await RawAsync(db, Batch, Jobs));
        }
        var rawSingle = Stats.Median(single);
        var rawBatched = Stats.Median(batched);
        rows.Add(new BenchRow(Section, "raw Npgsql: claim 1 + complete 1 per transaction (jobs/s)", Num(rawSingle), "1.00", "reference; prepared statements, one connection"));
        rows.Add(new BenchRow(Section, $"raw Npgsql: claim {Batch} (FOR UPDATE SKIP LOCKED) + complete {Batch} (unnest) per transaction (jobs/s)", Num(rawBatched), "1.00",
            $"reference for the rows below; {Jobs:N0} jobs"));

        foreach (var workers in WorkerCounts)
        {
            var rates = new List<double>();
            var cpu = new List<double>();
            var serverCpu = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var (rate, perJob, serverPerJob) = await DrainAsync(await CreateDatabaseAsync(admin), workers);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {workers} worker(s), run {run + 1}: {rate:N0} jobs/s, worker CPU {perJob:N1} µs/job, server CPU {serverPerJob:N1} µs/job"));
                rates.Add(rate);
                cpu.Add(perJob);
                serverCpu.Add(serverPerJob);
            }
            rows.Add(new BenchRow(Section, $"no-op jobs, {workers} worker process(es) × concurrency 4, {Jobs:N0} jobs (jobs/s)", Num(Stats.Median(rates)),
                Ratio(Stats.Median(rates), rawBatched),
                $"ratio to raw {Batch} per transaction; {Ratio(Stats.Median(rates), rawSingle)} of raw one per transaction; worker CPU {Num(Stats.Median(cpu))} µs/job, "
                + $"its server backends' {Num(Stats.Median(serverCpu))} µs/job"));
        }
        if (Pickup)
        {
            rows.AddRange(await PickupAsync(await CreateDatabaseAsync(admin)));
        }
        return rows;
    }

    private const int SizeJobs = 1_000_000;

    /// <summary>
    /// The jobs table's size while 1,000,000 jobs pass through one worker (concurrency 16) with
    /// retention on: succeeded jobs kept 10 s and purged by the queue's own purge every 5 s (the
    /// worker's schedule runs it hourly; the point is the churn), jobs added 50,000 at a time
    /// whenever fewer than 20,000 are pending. Table, indexes and TOAST
    /// (<c>pg_total_relation_size</c>), sampled after every 100,000 jobs: it must level off.
    /// </summary>
    public static async Task<IReadOnlyList<BenchRow>> SizeAsync()
    {
        var admin = Environment.GetEnvironmentVariable("BENCH_POSTGRES") is { Length: > 0 } given
            ? new NpgsqlConnectionStringBuilder(given) { Database = "postgres" }.ConnectionString
            : await PostgresCluster.StartAsync();
        await CreateTemplateAsync(admin);
        var db = await CreateDatabaseAsync(admin);
        await using var dataSource = PostgresSetup.DataSource(db);
        var options = new DbContextOptionsBuilder<AppDbContext>();
        PostgresSetup.Apply(options, dataSource);
        var contexts = new PooledDbContextFactory<AppDbContext>(options.Options);
        using var lane = new WriteLane(contexts, dataSource);
        var queue = new JobQueue(contexts, lane, TimeProvider.System, Options.Create(new QueueOptions { RetainSucceeded = TimeSpan.FromSeconds(10) }));
        using var worker = AppProcess.Start("App.Worker", db, new Dictionary<string, string>(WorkerSettings) { ["Queue:Concurrency"] = "16" });
        await QueueBenchmarks.WaitUntilAsync(async () => await ScalarAsync(db, "SELECT COUNT(*) FROM \"Workers\"") == 1, TimeSpan.FromMinutes(2));

        var samples = new List<(long Passed, long Bytes, long Rows, long Dead)>();
        var added = 0;
        var nextPurge = Stopwatch.StartNew();
        while (true)
        {
            var live = await ScalarAsync(db, "SELECT COUNT(*) FROM \"Jobs\" WHERE \"State\" IN ('pending', 'running')");
            var passed = added - live;
            if (passed >= (samples.Count + 1) * 100_000L)
            {
                samples.Add((passed,
                    await ScalarAsync(db, "SELECT pg_total_relation_size('\"Jobs\"')"),
                    await ScalarAsync(db, "SELECT COUNT(*) FROM \"Jobs\""),
                    await ScalarAsync(db, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'Jobs'")));
            }
            if (passed >= SizeJobs)
            {
                break;
            }
            if (added < SizeJobs && live < 20_000)
            {
                await InsertJobsAsync(db, 50_000);
                added += 50_000;
            }
            if (nextPurge.Elapsed >= TimeSpan.FromSeconds(5))
            {
                await queue.PurgeFinishedAsync();
                nextPurge.Restart();
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
        return [.. samples.Select(s => new BenchRow(Section, $"jobs table after {s.Passed:N0} jobs passed, retention 10 s: size with indexes (MB), rows kept, dead rows",
            $"{s.Bytes / 1_048_576.0:0.0}".Replace(',', '.'), "", $"{s.Rows:N0} rows, {s.Dead:N0} dead"))];
    }

    /// <summary>Bare statements on one connection: claim <paramref name="batch"/> and complete them, one transaction each, until none is left.</summary>
    private static async Task<double> RawAsync(string db, int batch, int jobs)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var claim = new NpgsqlCommand("""
            WITH picked AS MATERIALIZED (
                SELECT "Id" FROM "Jobs" WHERE "State" = 'pending' AND "Type" = 'noop' AND "RunAt" <= @now
                ORDER BY "Priority" DESC, "RunAt", "Id" LIMIT @limit FOR UPDATE SKIP LOCKED)
            UPDATE "Jobs" AS j SET "State" = 'running', "LeaseOwner" = 'raw', "LeaseExpiresAt" = @now, "StartedAt" = @now,
                "Attempts" = j."Attempts" + 1, "Version" = j."Version" + 1
            FROM picked WHERE j."Id" = picked."Id"
            RETURNING j."Id", j."Version"
            """, connection);
        var now = claim.Parameters.AddWithValue("now", DateTime.UtcNow);
        claim.Parameters.AddWithValue("limit", batch);
        await claim.PrepareAsync();
        await using var complete = new NpgsqlCommand("""
            UPDATE "Jobs" AS j SET "State" = 'succeeded', "FinishedAt" = @now, "LeaseExpiresAt" = NULL, "Version" = j."Version" + 1
            FROM unnest(@ids, @versions) AS l(id, version)
            WHERE j."Id" = l.id AND j."Version" = l.version AND j."LeaseOwner" = 'raw' AND j."State" = 'running'
            """, connection);
        var completeNow = complete.Parameters.AddWithValue("now", DateTime.UtcNow);
        var ids = complete.Parameters.AddWithValue("ids", Array.Empty<long>());
        var versions = complete.Parameters.AddWithValue("versions", Array.Empty<long>());
        await complete.PrepareAsync();
        var done = 0;
        var clock = Stopwatch.StartNew();
        while (done < jobs)
        {
            await using var tx = await connection.BeginTransactionAsync();
            now.Value = DateTime.UtcNow;
            var (idList, versionList) = (new List<long>(batch), new List<long>(batch));
            await using (var reader = await claim.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    idList.Add(reader.GetInt64(0));
                    versionList.Add(reader.GetInt64(1));
                }
            }
            if (idList.Count == 0)
            {
                break;
            }
            completeNow.Value = DateTime.UtcNow;
            ids.Value = idList.ToArray();
            versions.Value = versionList.ToArray();
            await complete.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            done += idList.Count;
        }
        return done / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Jobs/s, worker CPU per job and the CPU per job of the server backends serving those workers
    /// (µs) of <paramref name="workers"/> processes draining no-op jobs, after a warm-up.
    /// </summary>
    private static async Task<(double Rate, double CpuPerJob, double ServerCpuPerJob)> DrainAsync(string db, int workers)
    {
        var processes = Enumerable.Range(0, workers).Select(_ => AppProcess.Start("App.Worker", db, WorkerSettings)).ToList();
        try
        {
            await QueueBenchmarks.WaitUntilAsync(async () => await ScalarAsync(db, "SELECT COUNT(*) FROM \"Workers\"") == workers, TimeSpan.FromMinutes(2));
            // As the SQLite drain warms up (BENCH_QUEUE_WARMUP, BENCH_QUEUE_SETTLE_MS): every worker
            // process runs its hot path before the clock, then a pause for what the runtime does after.
            var warmUp = QueueBenchmarks.WarmUpJobs;
            await InsertJobsAsync(db, warmUp);
            await QueueBenchmarks.WaitUntilAsync(async () => await SucceededAsync(db) == warmUp, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20));
            await Task.Delay(QueueBenchmarks.SettleAfterWarmUp);
            var backends = await BackendsAsync(db);
            var cpu0 = processes.Sum(p => p.CpuTime().TotalMilliseconds);
            var server0 = backends.Sum(ProcessCpuMilliseconds);
            // Timed from the insert's commit, before which no worker can see a job, as the raw
            // loops are timed on jobs already there. Until 2026-12-02 the insert of the 40,000
            // rows and its ANALYZE were inside the time (docs/benchmarks.md).
            await InsertJobsAsync(db, Jobs);
            var clock = Stopwatch.StartNew();
            await QueueBenchmarks.WaitUntilAsync(async () => await SucceededAsync(db) == warmUp + Jobs, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20));
            var rate = Jobs / clock.Elapsed.TotalSeconds;
            return (rate, (processes.Sum(p => p.CpuTime().TotalMilliseconds) - cpu0) * 1000 / Jobs,
                (backends.Sum(ProcessCpuMilliseconds) - server0) * 1000 / Jobs);
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    /// <summary>The server processes of the workers' connections to <paramref name="db"/> (the bench's own short-lived ones left out).</summary>
    private static async Task<List<int>> BackendsAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var pids = new List<int>();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }
        return pids;
    }

    /// <summary>CPU time (user + system, ms) of a process by id, 0 once it is gone.</summary>
    private static double ProcessCpuMilliseconds(int pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>An idle worker, 200 jobs enqueued one at a time through the queue (which NOTIFYs): pickup latency, then idle CPU.</summary>
    private static async Task<IEnumerable<BenchRow>> PickupAsync(string db)
    {
        using var worker = AppProcess.Start("App.Worker", db, WorkerSettings);
        await QueueBenchmarks.WaitUntilAsync(async () => await ScalarAsync(db, "SELECT COUNT(*) FROM \"Workers\"") == 1, TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(3));
        await using var dataSource = PostgresSetup.DataSource(db);
        var options = new DbContextOptionsBuilder<AppDbContext>();
        PostgresSetup.Apply(options, dataSource);
        var contexts = new PooledDbContextFactory<AppDbContext>(options.Options);
        using var lane = new WriteLane(contexts, dataSource);
        var queue = new JobQueue(contexts, lane, TimeProvider.System, Options.Create(new QueueOptions()));
        for (var i = 0; i < 200; i++)
        {
            await queue.EnqueueAsync(new JobRequest(NoopHandler));
            await Task.Delay(TimeSpan.FromMilliseconds(30));
        }
        await QueueBenchmarks.WaitUntilAsync(async () => await SucceededAsync(db) == 200, TimeSpan.FromMinutes(1));
        var latencies = new List<double>();
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT \"CreatedAt\", \"StartedAt\" FROM \"Jobs\"", connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                latencies.Add((reader.GetDateTime(1) - reader.GetDateTime(0)).TotalMilliseconds);
            }
        }
        // Idle CPU in the steady state: the first minute of a .NET process includes tier-1 JIT work.
        await Task.Delay(TimeSpan.FromSeconds(40));
        var cpuBefore = worker.CpuTime();
        var idle = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(20));
        var idleCpu = (worker.CpuTime() - cpuBefore).TotalSeconds / idle.Elapsed.TotalSeconds;
        return
        [
            new(Section, "pickup latency, idle worker, jobs enqueued one at a time by another process, woken by NOTIFY: p50 / p99 (ms)",
                $"{Stats.Median(latencies):0.00} / {Stats.Percentile(latencies, 99):0.00}".Replace(',', '.')),
            new(Section, "idle worker CPU, steady state (% of one core, 20 s)", string.Create(CultureInfo.InvariantCulture, $"{idleCpu * 100:0.00} %")),
        ];
    }

    private const string NoopHandler = "noop";

    private static readonly Dictionary<string, string> WorkerSettings = new()
    {
        ["Queue:Concurrency"] = "4",
        ["Reader:PurgeInterval"] = "00:00:00",
        ["Feeds:ScheduleInterval"] = "01:00:00",
    };

    private static async Task CreateTemplateAsync(string admin)
    {
        await ExecuteAsync(admin, "DROP DATABASE IF EXISTS bench_template WITH (FORCE)");
        await ExecuteAsync(admin, "CREATE DATABASE bench_template");
        var template = new NpgsqlConnectionStringBuilder(admin) { Database = "bench_template", Pooling = false }.ConnectionString;
        await using (var dataSource = PostgresSetup.DataSource(template))
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            PostgresSetup.Apply(options, dataSource);
            await using var db = new AppDbContext(options.Options);
            await DatabaseSetup.MigrateAsync(db, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10));
        }
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task<string> CreateDatabaseAsync(string admin)
    {
        var name = $"bench_{Environment.ProcessId}_{++_databases}";
        await ExecuteAsync(admin, $"CREATE DATABASE {name} TEMPLATE bench_template");
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>Inserts <paramref name="count"/> due no-op jobs in one statement, then wakes the workers.</summary>
    private static Task InsertJobsAsync(string db, int count) => ExecuteAsync(db, $$"""
        INSERT INTO "Jobs" ("Type", "Payload", "State", "Priority", "RunAt", "Attempts", "MaxAttempts", "CreatedAt", "Version")
        SELECT 'noop', '{}', 'pending', 0, now(), 0, 5, now(), 0 FROM generate_series(1, {{count}});
        ANALYZE "Jobs";
        NOTIFY {{JobNotifications.Channel}};
        """);

    private static Task<long> SucceededAsync(string db) => ScalarAsync(db, "SELECT SUM(\"Count\")::bigint FROM \"JobStateCounts\" WHERE \"State\" = 'succeeded'");

    private static async Task<long> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Num(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ratio(double value, double reference) => (value / reference).ToString("0.00", CultureInfo.InvariantCulture);
}
