using System.Net;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;

namespace App.Tests.Web.Jobs;

public abstract class JobPagesTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ProgressPage_ShowsTheStateAndLoadsThePollingScript()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");
        var job = await _app.JobInStateAsync(JobState.Pending, feed.Id);

        var html = await _app.Client.GetStringAsync($"/jobs/{job.Id}");

        Assert.Contains($"data-api=\"/api/jobs/{job.Id}\"", html);
        Assert.Contains("<span class=\"badge\" data-field=\"state\">pending</span>", html);
        Assert.Matches("<script src=\"/js/job-progress\\.[a-z0-9]+\\.js\" defer>", html);
        Assert.Contains($"href=\"/feeds/{feed.Id}\"", html);
        Assert.DoesNotContain("<script>", html);
    }

    [Fact]
    public async Task ProgressPage_ShowsTheErrorAndRetryButton_ForAFailedJob()
    {
        var job = await _app.JobInStateAsync(JobState.Failed, error: "Not a feed: <html>");

        var html = await _app.Client.GetStringAsync($"/jobs/{job.Id}");

        Assert.Contains("Not a feed: &lt;html&gt;", html);
        Assert.Matches("<form method=\"post\" class=\"inline\" data-action=\"retry\" action=\"[^\"]+\">", html);
    }

    [Fact]
    public async Task ProgressPage_Returns404_ForUnknownJob()
    {
        var response = await _app.Client.GetAsync("/jobs/42");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_ShowsCountsWorkersWithStaleOnesMarked_AndRecentFailures()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", title: "Example feed");
        await _app.JobInStateAsync(JobState.Failed, feed.Id, error: "DNS lookup failed");
        await _app.JobInStateAsync(JobState.Succeeded);
        await new WorkerRegistry(_app.Db.Contexts, _app.Db.NewLane(), TimeProvider.System).HeartbeatAsync("fresh-worker");
        var minuteAgo = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-1));
        await new WorkerRegistry(_app.Db.Contexts, _app.Db.NewLane(), minuteAgo).HeartbeatAsync("stale-worker");

        var html = await _app.Client.GetStringAsync("/jobs");

        Assert.Matches("<dt>Failed</dt><dd>1</dd>", html);
        Assert.Matches("<dt>Succeeded</dt><dd>1</dd>", html);
        Assert.Matches("<li>\\s*<code>fresh-worker</code>", html);
        Assert.Matches("<li class=\"stale\">\\s*<code>stale-worker</code>", html);
        Assert.Contains("DNS lookup failed", html);
        Assert.Contains("Example feed", html);
        Assert.Contains("handler=Retry", html);
    }

    [Fact]
    public async Task Dashboard_ShowsRunningJobsWithTheirWorker_AndJobsWaitingToRetryWithTheirError()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", title: "Busy feed");
        var running = await _app.JobInStateAsync(JobState.Running, feed.Id);
        var queue = _app.Queue;
        var retrying = await queue.EnqueueAsync(new JobRequest("test"));
        var lease = Assert.Single(await queue.ClaimAsync("worker-b", 1)).Lease;
        Assert.Equal(FailOutcome.WillRetry, await queue.FailAsync(lease, "HTTP 503 Service Unavailable", retryable: true));

        var html = await _app.Client.GetStringAsync("/jobs");

        var runningSection = Section(html, "running-section");
        Assert.Contains($"Job {running.Id}", runningSection);
        Assert.Contains("<code>test-worker</code>", runningSection);
        Assert.Contains("Busy feed", runningSection);
        var retryingSection = Section(html, "retrying-section");
        Assert.Contains($"Job {retrying.Id}", retryingSection);
        Assert.Contains("HTTP 503 Service Unavailable", retryingSection);
        Assert.Matches($"action=\"/jobs\\?[^\"]*handler=Cancel[^\"]*id={retrying.Id}|action=\"/jobs\\?id={retrying.Id}[^\"]*handler=Cancel", retryingSection);
        Assert.DoesNotContain($"Job {running.Id}", retryingSection);
    }

    [Fact]
    public async Task DashboardCancel_CancelsAJobWaitingToRetry()
    {
        var queue = _app.Queue;
        var job = await queue.EnqueueAsync(new JobRequest("test"));
        var lease = Assert.Single(await queue.ClaimAsync("worker-b", 1)).Lease;
        await queue.FailAsync(lease, "connection refused", retryable: true);

        var response = await _app.PostFormAsync("/jobs", $"/jobs?handler=Cancel&id={job.Id}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(JobState.Cancelled, (await _app.GetJobAsync(job.Id)).State);
        Assert.Contains($"Job {job.Id} is cancelled.", await _app.Client.GetStringAsync("/jobs"));
    }

    [Fact]
    public async Task Dashboard_ChartsTheLastHour_WithATotalPerState()
    {
        await _app.JobInStateAsync(JobState.Succeeded);
        await _app.JobInStateAsync(JobState.Succeeded);
        await _app.JobInStateAsync(JobState.Failed);

        var html = await _app.Client.GetStringAsync("/jobs");

        var section = Section(html, "throughput-section");
        Assert.Matches(@"2 succeeded · 1 failed\s*· 0\.1 a minute on average", section);
        Assert.Equal(60, System.Text.RegularExpressions.Regex.Count(section, "<g data-minute="));
        Assert.Contains("2 succeeded, 1 failed</title>", section);
    }

    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        var end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }

    [Fact]
    public async Task DashboardRetry_MakesTheFailedJobPending_AndComesBackWithAMessage()
    {
        var job = await _app.JobInStateAsync(JobState.Failed);

        var response = await _app.PostFormAsync("/jobs", $"/jobs?handler=Retry&id={job.Id}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/jobs", response.Headers.Location?.OriginalString);
        Assert.Equal(JobState.Pending, (await _app.GetJobAsync(job.Id)).State);
        Assert.Contains($"Job {job.Id} is pending again.", await _app.Client.GetStringAsync("/jobs"));
    }

    [Fact]
    public async Task DashboardRetry_Returns400AndChangesNothing_WithoutAntiforgeryToken()
    {
        var job = await _app.JobInStateAsync(JobState.Failed);

        var response = await _app.Client.PostAsync($"/jobs?handler=Retry&id={job.Id}", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JobState.Failed, (await _app.GetJobAsync(job.Id)).State);
    }
}

public sealed class JobPagesTestsOnSqlite() : JobPagesTests(DatabaseEngine.Sqlite);

public sealed class JobPagesTestsOnPostgres() : JobPagesTests(DatabaseEngine.Postgres);
