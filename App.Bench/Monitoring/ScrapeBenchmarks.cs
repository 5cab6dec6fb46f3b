using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using App.Bench.Support;
using App.Worker.Monitoring;
using App.Worker.Queue;

namespace App.Bench.Monitoring;

/// <summary>
/// What one <c>/metrics</c> scrape costs a real web process over HTTP, with a million finished jobs
/// in the table and four workers' snapshots: it must read neither the finished rows nor wait for
/// the write lock, so it should not grow with the finished jobs (only with the live ones).
/// </summary>
public static class ScrapeBenchmarks
{
    private const string Section = "monitoring";
    private const string Token = "bench-scrape-token";
    private const int WarmUp = 30;
    private const int Scrapes = 300;

    public static async Task<IReadOnlyList<BenchRow>> RunAsync() =>
    [
        await ScrapeAsync(finished: 1_000_000, pending: 1_000),
        await ScrapeAsync(finished: 1_000_000, pending: 100_000),
    ];

    private static async Task<BenchRow> ScrapeAsync(int finished, int pending)
    {
        using var db = await BenchDatabase.CreateAsync();
        db.InsertJobs(finished, "fetch-feed", "{}", state: "succeeded");
        db.InsertJobs(pending, "fetch-feed", "{}");
        InsertWorkers(db, 4);

        var port = FreePort();
        using var web = AppProcess.Start("App.Web", db.ConnectionString, new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Metrics:ScrapeToken"] = Token,
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await WaitForAsync(http);

        var bytes = 0;
        for (var i = 0; i < WarmUp; i++)
        {
            bytes = (await ScrapeOnceAsync(http)).Length;
        }
        var samples = new List<double>();
        for (var i = 0; i < Scrapes; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await ScrapeOnceAsync(http);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new BenchRow(Section,
            string.Create(CultureInfo.InvariantCulture, $"GET /metrics with {finished:N0} finished and {pending:N0} pending jobs, 4 workers: median / p95 (ms)"),
            string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(samples):0.0} / {Stats.Percentile(samples, 95):0.0}"),
            null,
            string.Create(CultureInfo.InvariantCulture, $"{Scrapes} scrapes after {WarmUp} warm-up, {bytes / 1024.0:0} KiB each"));
    }

    private static async Task<string> ScrapeOnceAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Worker rows with snapshots as a busy worker stores them: two job types, every bucket used, a few statuses.</summary>
    private static void InsertWorkers(BenchDatabase db, int count)
    {
        var metrics = new WorkerMetrics();
        var random = new Random(1);
        foreach (var type in new[] { "fetch-feed", "fetch-icon" })
        {
            for (var i = 0; i < 10_000; i++)
            {
                var outcome = i % 50 == 0 ? JobOutcome.Failed : i % 20 == 0 ? JobOutcome.Retried : JobOutcome.Succeeded;
                metrics.JobFinished(type, TimeSpan.FromSeconds(random.NextDouble() * random.NextDouble() * 2),
                    TimeSpan.FromSeconds(Math.Pow(10, random.NextDouble() * 5 - 3)), outcome,
                    outcome == JobOutcome.Succeeded ? null : i % 3 == 0 ? "http_404" : "timeout");
                metrics.Fetched(i % 10 == 0 ? 304 : i % 47 == 0 ? 404 : 200);
            }
        }
        metrics.ItemsStored(123_456);
        var json = metrics.Snapshot().ToJson();
        using var connection = db.OpenRaw();
        for (var i = 0; i < count; i++)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO "Workers" ("Id", "Host", "ProcessId", "StartedAt", "LastSeenAt", "Metrics")
                VALUES ($id, 'bench', $pid, $now, $now, $metrics)
                """;
            insert.Parameters.AddWithValue("$id", $"bench:{1000 + i}:0000000{i}");
            insert.Parameters.AddWithValue("$pid", 1000 + i);
            // Seen now and never again: fresh enough for the scrapes, which take well under the hour after which a row is forgotten.
            insert.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$metrics", json);
            insert.ExecuteNonQuery();
        }
    }

    private static async Task WaitForAsync(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The web process did not answer /healthz within 60 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
