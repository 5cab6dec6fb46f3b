using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Web.Monitoring;

/// <summary><c>/metrics</c>: who may read it, that it is valid Prometheus text, and that its counters follow real jobs run by a real worker process.</summary>
public abstract class MetricsTests(DatabaseEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "a-scrape-token-for-the-tests";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private WebApp _web = null!;

    public async Task InitializeAsync() =>
        _web = await WebApp.StartAsync(new Dictionary<string, string> { ["Metrics:ScrapeToken"] = Token }, engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Metrics_AreForAdministratorsAndTheScrapeToken_Only()
    {
        var anonymous = _web.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);

        using var wrongToken = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrongToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        var refused = await anonymous.SendAsync(wrongToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("feedreader_", await refused.Content.ReadAsStringAsync());

        var wrongPassword = _web.CreateClient(WebApp.AdminName, "not the password");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongPassword.GetAsync("/metrics")).StatusCode);

        // Like every administrators' address, it does not exist for other users.
        var (_, reader) = await _web.CreateUserAsync("reader");
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/metrics")).StatusCode);

        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var scraped = await anonymous.SendAsync(scrape);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Equal("text/plain", scraped.Content.Headers.ContentType?.MediaType);
        PrometheusText.Parse(await scraped.Content.ReadAsStringAsync());

        var admin = await _web.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal("gauge", PrometheusText.Parse(await admin.Content.ReadAsStringAsync()).TypeOf("feedreader_database_size_bytes"));
    }

    [Fact]
    public async Task Metrics_WithoutAScrapeToken_RefuseEveryBearer()
    {
        await using var web = await WebApp.StartAsync();
        var client = web.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_ParseAndTheirCountersMove_WithJobsRunByARealWorker()
    {
        await using var origin = await FeedServer.StartAsync();
        origin.Serve("/good.xml", FeedSamples.Rss(3, title: "Good"));
        // "/missing.xml" is not served: 404.
        using var worker = RunningProcess.StartWorker(_web.Db.ConnectionString);
        await Eventually.TrueAsync(async () =>
        {
            await using var db = _web.Db.Open();
            return await db.Workers.AnyAsync();
        }, Patience, "the worker to register");

        var before = await ScrapeAsync();
        Assert.Equal(1, before.Value("feedreader_workers"));
        Assert.Equal(0, before.Sum("feedreader_jobs_finished_total"));
        Assert.True(before.Value("feedreader_database_size_bytes") > 0);

        var good = await AddFeedAsync(origin.Url("/good.xml"));
        var missing = await AddFeedAsync(origin.Url("/missing.xml"));
        await WaitForAsync(good, JobState.Succeeded);
        await WaitForAsync(missing, JobState.Failed);

        // The worker's counts arrive with its next heartbeat (every 0.5 s in the tests).
        var after = await Eventually.GetAsync(ScrapeAsync,
            m => m.Sum("feedreader_jobs_finished_total", "type=fetch-feed") >= 2, Patience, "the finished jobs to be exported");
        output.WriteLine(string.Join("\n", after.Samples.Where(s => s.Name.StartsWith("feedreader_", StringComparison.Ordinal) && s.Value != 0)
            .Select(s => $"{s.Name}{{{string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {s.Value}")));

        Assert.Equal(1, after.Sum("feedreader_jobs_finished_total", "type=fetch-feed", "outcome=succeeded"));
        Assert.Equal(1, after.Sum("feedreader_jobs_finished_total", "type=fetch-feed", "outcome=failed"));
        Assert.Equal(1, after.Sum("feedreader_job_failures_total", "type=fetch-feed", "reason=http_404"));
        Assert.Equal(3, after.Sum("feedreader_items_stored_total"));
        Assert.True(after.Sum("feedreader_fetches_total", "status=200") >= 1);
        Assert.True(after.Sum("feedreader_fetches_total", "status=404") >= 1);
        Assert.Equal("histogram", after.TypeOf("feedreader_job_run_seconds"));
        Assert.True(after.Sum("feedreader_job_run_seconds_count", "type=fetch-feed") >= 2);
        Assert.True(after.Sum("feedreader_job_run_seconds_sum", "type=fetch-feed") > 0);
        Assert.True(after.Sum("feedreader_job_claim_to_start_seconds_count", "type=fetch-feed") >= 2);
        Assert.Equal(0, after.Sum("feedreader_jobs", "state=pending", "type=fetch-feed"));
        var workerId = Assert.Single(after.Samples, s => s.Name == "feedreader_worker_last_heartbeat_timestamp_seconds").Labels["worker"];
        Assert.Contains($":{worker.Pid}:", workerId);
        Assert.InRange(after.Value("feedreader_worker_last_heartbeat_timestamp_seconds")!.Value,
            DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

        // A second scrape replays nothing twice: the worker's histogram counts stay as they were.
        var again = await ScrapeAsync();
        Assert.Equal(
            after.Sum("feedreader_job_run_seconds_count", "type=fetch-feed"),
            again.Sum("feedreader_job_run_seconds_count", "type=fetch-feed"));

        // A job waiting with no worker to take it shows as pending; a stopped worker's series go with its row.
        await worker.TerminateAsync(Patience);
        await _web.Queue.EnqueueAsync(new JobRequest("waiting"));
        var stopped = await Eventually.GetAsync(ScrapeAsync,
            m => !m.Samples.Any(s => s.Name == "feedreader_jobs_finished_total"), Patience, "the stopped worker's series to go");
        Assert.Equal(1, stopped.Value("feedreader_jobs", "state=pending", "type=waiting"));
        Assert.Equal(0, stopped.Value("feedreader_workers"));
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        var response = await _web.Client.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<long> AddFeedAsync(Uri url)
    {
        var response = await _web.PostFeedAsync(url.ToString());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();
    }

    private Task WaitForAsync(long jobId, JobState state) =>
        Eventually.TrueAsync(async () => (await _web.GetJobAsync(jobId)).State == state, Patience, $"job {jobId} to be {state}");
}

public sealed class MetricsTestsOnSqlite(ITestOutputHelper output) : MetricsTests(DatabaseEngine.Sqlite, output);

public sealed class MetricsTestsOnPostgres(ITestOutputHelper output) : MetricsTests(DatabaseEngine.Postgres, output);
