using System.Diagnostics;
using System.Globalization;
using App.Bench.Support;
using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace App.Bench.Feeds;

/// <summary>
/// Section "feeds": parse throughput on a 5,000-item feed (median of several runs), the peak
/// resident memory of a real worker process while it fetches and stores a 10 MiB feed, and
/// while it deals with hostile documents (an item nesting 100,000 elements, a 9 MiB page of tags),
/// and 10,000 feeds refreshed at once (<see cref="RefreshManyBenchmarks"/>).
/// </summary>
public static class FeedBenchmarks
{
    private const int Runs = 9;

    /// <summary>What one fetch stores at most (Feeds:MaxItemsPerFetch's default).</summary>
    private const int MaxItemsPerFetch = 1000;

    public static readonly string[] Parts = ["parse", "memory", "hostile", "refresh"];

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(IReadOnlyCollection<string> parts)
    {
        var rows = new List<BenchRow>();
        if (parts.Contains("parse"))
        {
            rows.AddRange(ParseThroughput());
        }
        if (parts.Contains("memory"))
        {
            rows.AddRange(await WorkerPeakMemoryAsync());
        }
        if (parts.Contains("hostile"))
        {
            rows.AddRange(await HostilePeakMemoryAsync());
        }
        if (parts.Contains("refresh"))
        {
            rows.AddRange(await RefreshManyBenchmarks.RunAsync());
        }
        return rows;
    }

    private static IEnumerable<BenchRow> ParseThroughput()
    {
        const int items = 5000;
        var body = LargeFeed.WithItems(items);
        var document = new FetchedDocument(body, "application/rss+xml", "utf-8", new Uri("https://example.com/feed.xml"));
        var parser = new FeedParser();
        parser.Parse(document); // warm-up: JIT, regexes
        var seconds = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            var parsed = parser.Parse(document);
            watch.Stop();
            if (parsed.Items.Count != items)
            {
                throw new InvalidOperationException($"parsed {parsed.Items.Count} items, expected {items}");
            }
            seconds.Add(watch.Elapsed.TotalSeconds);
        }
        var median = Stats.Median(seconds);
        var mb = body.Length / 1_000_000.0;
        var note = string.Create(CultureInfo.InvariantCulture, $"{items} items, {mb:0.00} MB, median of {Runs} runs ({median * 1000:0} ms)");
        return
        [
            new BenchRow("feeds", "parse throughput", string.Create(CultureInfo.InvariantCulture, $"{mb / median:0.0} MB/s"), Note: note),
            new BenchRow("feeds", "parse throughput (items)", string.Create(CultureInfo.InvariantCulture, $"{items / median:0} items/s"), Note: note),
        ];
    }

    private static async Task<IReadOnlyList<BenchRow>> WorkerPeakMemoryAsync()
    {
        var rows = new List<BenchRow>();
        // A small feed first: what running a refresh at all costs (code loaded and compiled on first use).
        var (small, smallItems) = (LargeFeed.WithItems(50), 50);
        var smallRun = await RunWorkerOnFeedAsync(small, JobState.Succeeded, smallItems);
        rows.Add(new BenchRow("feeds", "worker peak RSS, 50-item feed", $"{smallRun.Peak.VmHWM / 1024.0:0} MB",
            Note: string.Create(CultureInfo.InvariantCulture, $"VmHWM of App.Worker; {small.Length / 1024.0:0} KiB; at the highest sample: {smallRun.Peak.Breakdown}")));

        var (body, items) = LargeFeed.OfSize(10L * 1024 * 1024 - 1024);
        var run = await RunWorkerOnFeedAsync(body, JobState.Succeeded, Math.Min(items, MaxItemsPerFetch));
        rows.Insert(0, new BenchRow("feeds", "worker RSS idle", $"{run.Idle.VmRSS / 1024.0:0} MB",
            Note: $"VmRSS after start-up and migration: {run.Idle.Breakdown}"));
        rows.Add(new BenchRow("feeds", "worker peak RSS, 10 MiB feed", $"{run.Peak.VmHWM / 1024.0:0} MB",
            Note: string.Create(CultureInfo.InvariantCulture,
                $"VmHWM of App.Worker; {body.Length / 1048576.0:0.00} MiB feed, {items} items fetched, parsed and sanitized, the newest {Math.Min(items, MaxItemsPerFetch)} stored, in {run.Elapsed.TotalSeconds:0.0} s; at the highest sample: {run.Peak.Breakdown}; target < 150 MB")));
        return rows;
    }

    private static async Task<IReadOnlyList<BenchRow>> HostilePeakMemoryAsync()
    {
        var nested = LargeFeed.WithNestedItem(20, 100_000);
        var nestedRun = await RunWorkerOnFeedAsync(nested, JobState.Succeeded, 21);
        var page = LargeFeed.PageOfTags(9L * 1024 * 1024);
        var pageRun = await RunWorkerOnFeedAsync(page, JobState.Failed, 0, "text/html; charset=utf-8");
        return
        [
            new BenchRow("feeds", "worker peak RSS, item nesting 100,000 elements", $"{nestedRun.Peak.VmHWM / 1024.0:0} MB",
                Note: string.Create(CultureInfo.InvariantCulture,
                    $"VmHWM of App.Worker; a 20-item feed plus one item whose HTML nests 100,000 divs ({nested.Length / 1048576.0:0.0} MiB), stored as its text, job done in {nestedRun.Elapsed.TotalSeconds:0.0} s; at the highest sample: {nestedRun.Peak.Breakdown}; target <= 150 MB")),
            new BenchRow("feeds", "worker peak RSS, 9 MiB page of tags", $"{pageRun.Peak.VmHWM / 1024.0:0} MB",
                Note: string.Create(CultureInfo.InvariantCulture,
                    $"VmHWM of App.Worker; a web page of {page.Length / 1048576.0:0.0} MiB of nested tags given as the feed's address: fetched, its first 512 KB scanned for feed links, \"No feed found\" in {pageRun.Elapsed.TotalSeconds:0.0} s; at the highest sample: {pageRun.Peak.Breakdown}; target <= 150 MB")),
        ];
    }

    private sealed record WorkerRun(MemorySample Idle, MemorySample Peak, TimeSpan Elapsed);

    private static async Task<WorkerRun> RunWorkerOnFeedAsync(
        byte[] body, JobState expected, int items, string contentType = "application/rss+xml; charset=utf-8")
    {
        await using var origin = new StaticOrigin(body, contentType);
        var folder = Path.Combine(Path.GetTempPath(), "app-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var connectionString = $"Data Source={Path.Combine(folder, "app.db")}";
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Default"] = connectionString })
                .Build();
            await using var services = new ServiceCollection().AddLogging().AddAppDatabase(configuration).BuildServiceProvider();
            await DatabaseSetup.MigrateAsync(services);
            var contexts = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
            using var worker = AppProcess.Start("App.Worker", connectionString, new Dictionary<string, string>
            {
                ["Queue:PollInterval"] = "00:00:00.100",
                ["Feeds:AllowPrivateAddresses"] = "true",
            });
            var idle = await WaitForIdleRssAsync(worker);

            long jobId;
            await using (var db = await contexts.CreateDbContextAsync())
            {
                var feed = new Feed { Url = origin.Url("/big.xml").ToString(), CreatedAt = DateTime.UtcNow };
                db.Feeds.Add(feed);
                await db.SaveChangesAsync();
                var job = await services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feed.Id, JobPriority.User));
                jobId = job.Id;
            }
            var watch = Stopwatch.StartNew();
            var (state, highest) = await WaitForJobAsync(contexts, jobId, worker);
            watch.Stop();
            var peak = MemorySample.Of(worker.Pid);
            await using (var db = await contexts.CreateDbContextAsync())
            {
                var stored = await db.FeedItems.CountAsync();
                if (state != expected || stored != items)
                {
                    throw new InvalidOperationException($"job {state} (expected {expected}), {stored} of {items} items stored");
                }
            }
            return new WorkerRun(idle, highest with { VmHWM = peak.VmHWM }, watch.Elapsed);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<MemorySample> WaitForIdleRssAsync(AppProcess worker)
    {
        // Started: the worker has registered its heartbeat row. Until then RSS is still growing.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !worker.HasExited)
        {
            var before = MemorySample.Of(worker.Pid);
            await Task.Delay(500);
            var after = MemorySample.Of(worker.Pid);
            if (Math.Abs(after.VmRSS - before.VmRSS) < 512 && before.VmRSS > 0)
            {
                return after;
            }
        }
        throw new InvalidOperationException("the worker did not settle");
    }

    /// <summary>Waits for the job, sampling the worker's memory meanwhile; returns the state and the sample with the most resident memory.</summary>
    private static async Task<(JobState State, MemorySample Highest)> WaitForJobAsync(IDbContextFactory<AppDbContext> contexts, long jobId, AppProcess worker)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var highest = MemorySample.Of(worker.Pid);
        var poll = Stopwatch.StartNew();
        while (DateTime.UtcNow < deadline && !worker.HasExited)
        {
            var sample = MemorySample.Of(worker.Pid);
            highest = sample.VmRSS > highest.VmRSS ? sample : highest;
            if (poll.ElapsedMilliseconds >= 100)
            {
                poll.Restart();
                await using var db = await contexts.CreateDbContextAsync();
                var state = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.State).SingleAsync();
                if (state is JobState.Succeeded or JobState.Failed)
                {
                    return (state, highest);
                }
            }
            await Task.Delay(20);
        }
        throw new InvalidOperationException("the fetch job did not finish");
    }
}
