using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using App.Bench.Support;
using App.Data.Queue;

namespace App.Bench.Queue;

/// <summary>
/// The queue measured end to end on temp files: enqueue, no-op throughput with real worker
/// processes, pickup latency and idle CPU, claim cost as finished rows pile up — each next to
/// the raw SQLite limit measured in the same run.
/// </summary>
public static class QueueBenchmarks
{
    private const string Section = "queue";
    private static readonly int Runs = BenchSetting.Int("BENCH_QUEUE_RUNS", 3);

    // BENCH_QUEUE_ROWS picks throughput rows, e.g. "1x4,1x32" (workers x concurrency) or "io,cpu",
    // for a short run when two builds are alternated; all rows when unset.
    private static readonly string[]? Rows = BenchSetting.List("BENCH_QUEUE_ROWS");

    private static bool Row(string name) => Rows is null || Rows.Contains(name);

    /// <summary>Every part, in the order of the table.</summary>
    public static readonly string[] Parts = ["enqueue", "api", "under-load", "throughput", "pickup", "claim-cost"];

    /// <summary>
    /// The bare batched loop at several batch sizes, the sizes taking turns within each round: what
    /// a transaction costs besides its jobs, and so what a worker gains from carrying more per pass.
    /// </summary>
    public static async Task<IReadOnlyList<BenchRow>> RawBatchesAsync()
    {
        int[] sizes = [16, 32, 64, 128, 256];
        var rates = sizes.ToDictionary(s => s, _ => new List<double>());
        for (var run = 0; run < Runs; run++)
        {
            foreach (var size in sizes)
            {
                using var db = await BenchDatabase.CreateAsync();
                db.InsertJobs(ThroughputJobs, NoopType, "{}");
                rates[size].Add(RawSqliteLimit.BatchedClaimCompletesPerSecond(db, size));
            }
        }
        var reference = Stats.Median(rates[RawBatch]);
        return [.. sizes.Select(size => new BenchRow(Section, $"raw SQLite: {size} jobs claimed and completed per transaction (jobs/s)",
            Num(Stats.Median(rates[size])), Ratio(Stats.Median(rates[size]), reference),
            $"{Num(rates[size].Min())}–{Num(rates[size].Max())} over {Runs} runs; ratio to {RawBatch} per transaction"))];
    }

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] parts)
    {
        var rows = new List<BenchRow>();

        // Reference: bare statements, median of several runs.
        var rawInserts = new List<double>();
        var rawClaims = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            using var db = await BenchDatabase.CreateAsync();
            rawInserts.Add(RawSqliteLimit.InsertsPerSecond(db, 5000));
            rawClaims.Add(RawSqliteLimit.ClaimCompletesPerSecond(db));
        }
        var rawInsert = Stats.Median(rawInserts);
        var rawClaim = Stats.Median(rawClaims);
        rows.Add(new BenchRow(Section, "raw SQLite: INSERT per job (jobs/s)", Num(rawInsert), "1.00", "reference"));
        rows.Add(new BenchRow(Section, "raw SQLite: claim UPDATE + complete UPDATE per job (jobs/s)", Num(rawClaim), "1.00", "reference"));
        double? rawBatched = null;
        if (parts.Contains("throughput"))
        {
            var rawBatches = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                using var db = await BenchDatabase.CreateAsync();
                db.InsertJobs(ThroughputJobs, NoopType, "{}");
                rawBatches.Add(RawSqliteLimit.BatchedClaimCompletesPerSecond(db, RawBatch));
            }
            rawBatched = Stats.Median(rawBatches);
            rows.Add(new BenchRow(Section, $"raw SQLite: {RawBatch} jobs claimed (one UPDATE … RETURNING) and completed (an UPDATE each) per transaction (jobs/s)",
                Num(rawBatched.Value), "1.00", $"reference for the throughput rows (second ratio in their note); {ThroughputJobs:N0} jobs"));
        }

        if (parts.Contains("enqueue"))
        {
            rows.AddRange(await EnqueueAsync(rawInsert));
        }
        if (parts.Contains("api"))
        {
            rows.AddRange(await ApiEnqueueAsync());
        }
        if (parts.Contains("under-load"))
        {
            rows.AddRange(await WebUnderLoadAsync());
        }
        if (parts.Contains("throughput"))
        {
            foreach (var workers in new[] { 1, 2, 4 }.Where(w => Row($"{w}x4")))
            {
                rows.Add(await ThroughputAsync(workers, rawClaim, rawBatched!.Value, concurrency: 4));
            }
            // The default of 4 jobs at a time suits feed fetches; short jobs gain from larger batches.
            if (Row("1x32"))
            {
                rows.Add(await ThroughputAsync(1, rawClaim, rawBatched!.Value, concurrency: 32));
            }
            // Real jobs: 1 ms of waiting (I/O) with as many slots as a user would give I/O-bound jobs,
            // and 1 ms of CPU with one slot per core.
            if (Row("io"))
            {
                rows.Add(await RealJobsAsync("1 ms of async I/O (a delay)", """{"delayMs":1}""", concurrency: 64, jobs: 20_000));
            }
            if (Row("cpu"))
            {
                rows.Add(await RealJobsAsync("1 ms of CPU (a spin)", """{"spinMs":1}""", concurrency: Environment.ProcessorCount, jobs: 4_000));
            }
        }
        if (parts.Contains("pickup"))
        {
            rows.AddRange(await PickupAsync());
        }
        if (parts.Contains("claim-cost"))
        {
            foreach (var finished in new[] { 10_000, 100_000, 1_000_000 })
            {
                rows.Add(await ClaimCostAsync(finished));
            }
        }
        return rows;
    }

    private static async Task<IEnumerable<BenchRow>> EnqueueAsync(double rawInsert)
    {
        var rates = new List<double>();
        var latencies = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            using var db = await BenchDatabase.CreateAsync();
            var queue = db.Queue();
            var clock = Stopwatch.StartNew();
            const int count = 3000;
            for (var i = 0; i < count; i++)
            {
                var start = clock.Elapsed;
                await queue.EnqueueAsync(new JobRequest("noop"));
                latencies.Add((clock.Elapsed - start).TotalMilliseconds);
            }
            rates.Add(count / clock.Elapsed.TotalSeconds);
        }
        var rate = Stats.Median(rates);
        return
        [
            new(Section, "enqueue via JobQueue, one job per transaction (jobs/s)", Num(rate), Ratio(rate, rawInsert)),
            new(Section, "enqueue via JobQueue: latency p50 / p99 (µs)", $"{Num(Stats.Median(latencies) * 1000)} / {Num(Stats.Percentile(latencies, 99) * 1000)}"),
        ];
    }

    private static async Task<IEnumerable<BenchRow>> ApiEnqueueAsync()
    {
        using var db = await BenchDatabase.CreateAsync();
        var port = FreePort();
        using var web = StartWeb(db, port);
        using var http = BasicClient(port);
        await WaitUntilAsync(async () => (await TryGetAsync(http, "/healthz")) == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        using var keyed = await KeyClientAsync(http, port);

        // Two measurements of the same process. "Just started": after a short warm-up (a sequential
        // handful of requests would leave most of the request path to be JIT-compiled again while the
        // clients measure it). "Running": after 100,000 requests, once tiered compilation has replaced
        // the framework's precompiled code with optimised, profile-guided code on the hot path; that
        // took 70 µs of CPU per request instead of 160 (docs/benchmarks.md), and is what a web process
        // that has served for a while runs. Every request is signed in: Basic (a verified password is
        // cached, so the slow hash runs once) or an API key (one indexed look-up of its hash).
        const int clients = 32;
        const int measured = 200;
        await PostConcurrentlyAsync(http, clients, 60, "warm");
        await PostConcurrentlyAsync(keyed, clients, 10, "warm-key");
        var justStarted = await MeasureAsync(http, "just started", "Basic");
        await PostConcurrentlyAsync(http, clients, 50_000 / clients, "long");
        await PostConcurrentlyAsync(keyed, clients, 50_000 / clients, "long-key");
        var running = await MeasureAsync(http, "running", "Basic");
        var runningWithKey = await MeasureAsync(keyed, "running", "X-Auth-Token");
        return [justStarted, running, runningWithKey];

        async Task<BenchRow> MeasureAsync(HttpClient client, string phase, string credentials)
        {
            var webCpu0 = web.CpuTime();
            var clock = Stopwatch.StartNew();
            var latencies = await PostConcurrentlyAsync(client, clients, measured, $"{phase.Replace(' ', '-')}-{credentials}");
            var rate = latencies.Count / clock.Elapsed.TotalSeconds;
            var webCpu = (web.CpuTime() - webCpu0).TotalMilliseconds * 1000 / latencies.Count;
            return new(Section, $"POST /api/feeds with {credentials}, {clients} concurrent clients, web process {phase}: latency p50 / p99 (ms)",
                $"{Ms(Stats.Median(latencies))} / {Ms(Stats.Percentile(latencies, 99))}", null,
                $"{Num(rate)} requests/s; web process CPU {Num(webCpu)} µs/request");
        }
    }

    /// <summary>
    /// A user at the web while 4 worker processes drain no-op jobs as fast as they can: each of 200
    /// rounds cancels a pending job (an EF Core write) and subscribes to a feed (the grouped raw
    /// write), one request after another. The jobs to cancel are due in an hour, so no worker takes them.
    /// </summary>
    private static async Task<IEnumerable<BenchRow>> WebUnderLoadAsync()
    {
        const int workers = 4;
        const int rounds = 200;
        using var db = await BenchDatabase.CreateAsync();
        var port = FreePort();
        using var web = StartWeb(db, port);
        var processes = Enumerable.Range(0, workers).Select(_ => AppProcess.Start("App.Worker", db.ConnectionString)).ToList();
        try
        {
            using var http = BasicClient(port);
            await WaitUntilAsync(async () => (await TryGetAsync(http, "/healthz")) == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            await WaitUntilAsync(() => Task.FromResult(WorkerCount(db) == workers), TimeSpan.FromSeconds(60));
            var queue = db.Queue();
            var later = DateTime.UtcNow.AddHours(1);
            var toCancel = new List<long>();
            for (var i = 0; i < rounds + 20; i++)
            {
                toCancel.Add((await queue.EnqueueAsync(new JobRequest(NoopType) { RunAt = later })).Id);
            }
            // Warm-up before the load: the first request to each endpoint compiles it.
            for (var i = 0; i < 20; i++)
            {
                await CancelAndSubscribeAsync(http, toCancel[rounds + i], $"warm{i}");
            }

            db.InsertJobs(400_000, NoopType, "{}");
            var cancels = new List<double>();
            var subscribes = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                var (cancel, subscribe) = await CancelAndSubscribeAsync(http, toCancel[i], $"load{i}");
                cancels.Add(cancel);
                subscribes.Add(subscribe);
            }
            var stillPending = db.Count("\"State\" = 'pending' AND \"Type\" = 'noop'");
            var note = stillPending > 0
                ? $"{rounds} requests in a row; the workers were still draining at the end ({stillPending:N0} jobs left)"
                : "the workers finished draining before the last request: the load did not last";
            return
            [
                new(Section, $"cancel a job over the API while {workers} workers drain no-op jobs: p50 / p99 (ms)",
                    $"{Ms(Stats.Median(cancels))} / {Ms(Stats.Percentile(cancels, 99))}", null, note),
                new(Section, $"POST /api/feeds while {workers} workers drain no-op jobs: p50 / p99 (ms)",
                    $"{Ms(Stats.Median(subscribes))} / {Ms(Stats.Percentile(subscribes, 99))}", null, note),
            ];
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    private const string BenchUser = "bench";

    private const string BenchPassword = "bench passphrase";

    /// <summary>The web process on <paramref name="port"/>, with the administrator the clients sign in as.</summary>
    internal static AppProcess StartWeb(BenchDatabase db, int port) => AppProcess.Start("App.Web", db.ConnectionString, new Dictionary<string, string>
    {
        ["Urls"] = $"http://127.0.0.1:{port}",
        ["Auth:AdminUsername"] = BenchUser,
        ["Auth:AdminPassword"] = BenchPassword,
    });

    internal static HttpClient BasicClient(int port) => new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        DefaultRequestHeaders =
        {
            Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BenchUser}:{BenchPassword}"))),
        },
    };

    /// <summary>A client with a new API key of the bench user, made through the API.</summary>
    private static async Task<HttpClient> KeyClientAsync(HttpClient basic, int port)
    {
        using var response = await basic.PostAsJsonAsync("/api/keys", new { name = "bench" });
        response.EnsureSuccessStatusCode();
        var key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Add("X-Auth-Token", key);
        return client;
    }

    private static async Task<(double Cancel, double Subscribe)> CancelAndSubscribeAsync(HttpClient http, long jobId, string feed)
    {
        var start = Stopwatch.GetTimestamp();
        using (var cancel = await http.PostAsync($"/api/jobs/{jobId}/cancel", null))
        {
            if (cancel.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /api/jobs/{jobId}/cancel answered {(int)cancel.StatusCode}");
            }
        }
        var cancelled = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        start = Stopwatch.GetTimestamp();
        using (var subscribe = await http.PostAsJsonAsync("/api/feeds", new { url = $"https://{feed}.example/feed" }))
        {
            if (subscribe.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /api/feeds answered {(int)subscribe.StatusCode}");
            }
        }
        return (cancelled, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary><paramref name="clients"/> clients each posting <paramref name="perClient"/> new feeds in a row; every latency in ms.</summary>
    private static async Task<List<double>> PostConcurrentlyAsync(HttpClient http, int clients, int perClient, string prefix)
    {
        var latencies = new List<double>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<double>();
            for (var i = 0; i < perClient; i++)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/api/feeds", new { url = $"https://{prefix}{c}.example/feed/{i}" });
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"POST /api/feeds answered {(int)response.StatusCode}");
                }
            }
            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        })));
        return latencies;
    }

    private static async Task<BenchRow> ThroughputAsync(int workers, double rawClaim, double rawBatched, int concurrency)
    {
        var (rate, cpu, paired) = await DrainAsync(workers, concurrency, "{}", ThroughputJobs, pairWithRaw: true);
        return new BenchRow(Section, $"no-op jobs, {workers} worker process(es) × concurrency {concurrency}, {ThroughputJobs:N0} jobs (jobs/s)", Num(rate), Ratio(rate, rawClaim),
            $"ratio to raw claim+complete; {Ratio(rate, rawBatched)} of raw {RawBatch} per transaction; {Ratio(Stats.Median(paired), 1)} "
            + $"({Ratio(paired.Min(), 1)}–{Ratio(paired.Max(), 1)}) of raw {RawBatch} run just before each run; after a {WarmUpJobs:N0}-job warm-up; worker CPU {Num(cpu)} µs/job");
    }

    /// <summary>Jobs that do something, against the ideal: slots / job time (and never above the no-op rate).</summary>
    private static async Task<BenchRow> RealJobsAsync(string what, string payload, int concurrency, int jobs)
    {
        var (rate, cpu, _) = await DrainAsync(1, concurrency, payload, jobs);
        var ideal = concurrency / 0.001;
        return new BenchRow(Section, $"jobs of {what}, 1 worker process × concurrency {concurrency}, {jobs:N0} jobs (jobs/s)", Num(rate), Ratio(rate, ideal),
            $"ratio to the ideal {Num(ideal)} jobs/s (slots / 1 ms); worker CPU {Num(cpu)} µs/job");
    }

    // About a second of work per run at the rates measured: with 10,000 jobs a run lasted 0.3-0.4 s,
    // and the 20 ms polling and the first pass of each process weighed on the result.
    // BENCH_QUEUE_JOBS=200000 gives steadier rows for comparing two builds.
    private static readonly int ThroughputJobs = BenchSetting.Int("BENCH_QUEUE_JOBS", 40_000);

    // The reference's batch: what one write transaction of a busy worker carried at most until
    // Queue:ClaimAhead's default went from 64 to 256 (the reference row).
    private const int RawBatch = 64;

    /// <summary>Median jobs/s and worker CPU per job (µs) of <paramref name="workers"/> processes draining <paramref name="jobs"/> noop jobs.</summary>
    /// <remarks>
    /// With <paramref name="pairWithRaw"/>, each run is preceded by the raw batched loop on its own
    /// database, and the third result is each run's rate over that loop's: on this shared machine
    /// the loop alone moved from 43 to 85 thousand jobs/s between runs minutes apart, so a ratio of
    /// medians taken minutes apart said more about the machine than about the queue.
    /// </remarks>
    private static async Task<(double Rate, double CpuPerJob, List<double> PairedRatios)> DrainAsync(
        int workers, int concurrency, string payload, int jobs, bool pairWithRaw = false)
    {
        var settings = new Dictionary<string, string> { ["Queue:Concurrency"] = concurrency.ToString(CultureInfo.InvariantCulture) };
        var rates = new List<double>();
        var cpuPerJob = new List<double>();
        var paired = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            using var db = await BenchDatabase.CreateAsync();
            var processes = Enumerable.Range(0, workers).Select(_ => AppProcess.Start("App.Worker", db.ConnectionString, settings)).ToList();
            try
            {
                await WaitUntilAsync(() => Task.FromResult(WorkerCount(db) == workers), TimeSpan.FromSeconds(60));
                // Warm-up, not timed: each process's first thousand jobs run through freshly JIT-compiled
                // code, which with 4 processes on 2 cores would be measured 4 times over.
                db.InsertJobs(WarmUpJobs, NoopType, "{}");
                await WaitUntilAsync(() => Task.FromResult(db.SucceededCount() == WarmUpJobs), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(5));
                // Then a pause for the tiered JIT's background compilations of what the warm-up ran.
                await Task.Delay(SettleAfterWarmUp);
                double? raw = null;
                if (pairWithRaw)
                {
                    // Right before the timed drain, while the workers (watching another file) are idle.
                    using var rawDb = await BenchDatabase.CreateAsync();
                    rawDb.InsertJobs(jobs, NoopType, payload);
                    raw = RawSqliteLimit.BatchedClaimCompletesPerSecond(rawDb, RawBatch);
                }
                var cpu0 = processes.Sum(p => p.CpuTime().TotalMilliseconds);
                // Timed from the insert's commit, before which no worker can see a job: the raw
                // batched loop it is compared with is timed on jobs already there too. Until
                // 2026-12-01 the 40,000 inserts were inside the time (docs/benchmarks.md).
                db.InsertJobs(jobs, NoopType, payload, oneTransaction: true);
                var clock = Stopwatch.StartNew();
                // The queue's own count of succeeded jobs, one row: a COUNT(*) of the table every
                // 20 ms took CPU from the workers it was timing.
                await WaitUntilAsync(() => Task.FromResult(db.SucceededCount() == WarmUpJobs + jobs), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(5));
                cpuPerJob.Add((processes.Sum(p => p.CpuTime().TotalMilliseconds) - cpu0) * 1000 / jobs);
                rates.Add(jobs / clock.Elapsed.TotalSeconds);
                if (raw is { } reference)
                {
                    paired.Add(rates[^1] / reference);
                }
            }
            finally
            {
                processes.ForEach(p => p.Dispose());
            }
        }
        return (Stats.Median(rates), Stats.Median(cpuPerJob), paired);
    }

    /// <summary>
    /// Pickup and idle CPU woken by the WAL file's change notifications (the default), then by the
    /// <c>data_version</c> poll every 10 ms alone (as before notifications), in the same run.
    /// </summary>
    private static async Task<IEnumerable<BenchRow>> PickupAsync()
    {
        var rows = new List<BenchRow>();
        rows.AddRange(await PickupAsync("woken by the WAL file's change notification", []));
        rows.AddRange(await PickupAsync("data_version polled every 10 ms (notifications off)",
            new Dictionary<string, string> { ["Queue:WakeupOnFileChange"] = "false" }));
        return rows;
    }

    private static async Task<IEnumerable<BenchRow>> PickupAsync(string how, Dictionary<string, string> settings)
    {
        using var db = await BenchDatabase.CreateAsync();
        using var worker = AppProcess.Start("App.Worker", db.ConnectionString, settings);
        await WaitUntilAsync(() => Task.FromResult(WorkerCount(db) == 1), TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3));

        // Unmeasured jobs first, paced as the measured ones: the first claim compiles the claim path
        // inside its write transaction, and the bench's first insert waited for it (10-230 ms each, on
        // a loaded machine). Counted, these two set the p99 of 200 (the third slowest) by themselves.
        var queue = db.Queue();
        var warmUp = await EnqueueOneAtATimeAsync(queue, 10);
        await WaitUntilAsync(() => Task.FromResult(db.SucceededCount() == warmUp.Count), TimeSpan.FromSeconds(60));
        var ids = await EnqueueOneAtATimeAsync(queue, 200);
        await WaitUntilAsync(() => Task.FromResult(db.SucceededCount() == warmUp.Count + ids.Count), TimeSpan.FromSeconds(60));

        // Idle CPU in the steady state: the first minute of a .NET process includes tier-1 JIT work.
        await Task.Delay(TimeSpan.FromSeconds(45));
        var cpuBefore = worker.CpuTime();
        var idle = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(20));
        var idleCpu = (worker.CpuTime() - cpuBefore).TotalSeconds / idle.Elapsed.TotalSeconds;
        var latencies = PickupLatencies(db, after: warmUp[^1]);
        return
        [
            new(Section, $"pickup latency, idle worker, jobs inserted one at a time by another process, {how}: p50 / p99 (ms)", $"{Ms(Stats.Median(latencies))} / {Ms(Stats.Percentile(latencies, 99))}"),
            new(Section, $"idle worker CPU, steady state (% of one core, 20 s), {how}", string.Create(CultureInfo.InvariantCulture, $"{idleCpu * 100:0.00} %")),
        ];
    }

    private static async Task<List<long>> EnqueueOneAtATimeAsync(JobQueue queue, int count)
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await queue.EnqueueAsync(new JobRequest(NoopType))).Id);
            await Task.Delay(TimeSpan.FromMilliseconds(30));
        }
        return ids;
    }

    private static async Task<BenchRow> ClaimCostAsync(int finishedRows)
    {
        using var db = await BenchDatabase.CreateAsync();
        db.InsertJobs(finishedRows, NoopType, "{}", state: "succeeded");
        const int jobs = 2000;
        db.InsertJobs(jobs, NoopType, "{}");
        var queue = db.Queue();
        var samples = new List<double>();
        var clock = new Stopwatch();
        for (var done = 0; done < jobs; done++)
        {
            clock.Restart();
            var claimed = await queue.ClaimAsync("bench", 1);
            await queue.CompleteAsync(claimed[0].Lease);
            samples.Add(clock.Elapsed.TotalMilliseconds * 1000);
        }
        return new BenchRow(Section, $"claim + complete, one job, with {finishedRows:N0} finished rows: p50 (µs)", Num(Stats.Median(samples)), null, "should stay flat");
    }

    private const string NoopType = "noop";

    // Until 2026-12-02, 4,000 jobs and no pause: the timed drain then still ran partly on the JIT's
    // first-tier code while its optimized code compiled beside it. Measured on one build, the same
    // drain took 42-43 µs of worker CPU a job that way, 25-29 with DOTNET_TieredCompilation=0, and
    // 26 after this warm-up (docs/benchmarks.md).
    // The PostgreSQL drain (PostgresQueueBenchmarks) warms up the same way.
    internal static readonly int WarmUpJobs = BenchSetting.Int("BENCH_QUEUE_WARMUP", 40_000);

    internal static readonly TimeSpan SettleAfterWarmUp = TimeSpan.FromMilliseconds(BenchSetting.Int("BENCH_QUEUE_SETTLE_MS", 1000));

    private static List<double> PickupLatencies(BenchDatabase db, long after)
    {
        using var connection = db.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"CreatedAt\", \"StartedAt\" FROM \"Jobs\" WHERE \"Id\" > @after";
        command.Parameters.AddWithValue("@after", after);
        using var reader = command.ExecuteReader();
        var latencies = new List<double>();
        while (reader.Read())
        {
            latencies.Add((reader.GetDateTime(1) - reader.GetDateTime(0)).TotalMilliseconds);
        }
        return latencies;
    }

    internal static long WorkerCount(BenchDatabase db)
    {
        using var connection = db.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"Workers\"";
        return (long)command.ExecuteScalar()!;
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"gave up after {timeout}");
            }
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }

    internal static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Num(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Ratio(double value, double reference) => (value / reference).ToString("0.00", CultureInfo.InvariantCulture);
}
