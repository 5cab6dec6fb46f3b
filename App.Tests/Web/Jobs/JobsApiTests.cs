using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;

namespace App.Tests.Web.Jobs;

public abstract class JobsApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task GetJob_ReturnsContractShape_ForAPendingFeedJob()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");
        var job = await _app.JobInStateAsync(JobState.Pending, feed.Id);

        var body = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{job.Id}");

        Assert.Equal(
            ["id", "type", "state", "attempts", "maxAttempts", "createdAt", "runAt", "startedAt", "finishedAt", "lastError", "feedId"],
            body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(job.Id, body.GetProperty("id").GetInt64());
        Assert.Equal("fetch-feed", body.GetProperty("type").GetString());
        Assert.Equal("pending", body.GetProperty("state").GetString());
        Assert.Equal(0, body.GetProperty("attempts").GetInt32());
        Assert.Equal(job.MaxAttempts, body.GetProperty("maxAttempts").GetInt32());
        Assert.Equal(feed.Id, body.GetProperty("feedId").GetInt64());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("startedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("lastError").ValueKind);
        var createdAt = body.GetProperty("createdAt").GetString()!;
        Assert.EndsWith("Z", createdAt);
        Assert.Equal(job.CreatedAt, DateTime.Parse(createdAt, null, System.Globalization.DateTimeStyles.RoundtripKind));
    }

    [Fact]
    public async Task GetJob_ShowsFailedStateWithErrorAndTimes()
    {
        var job = await _app.JobInStateAsync(JobState.Failed, error: "HTTP 404 Not Found");

        var body = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{job.Id}");

        Assert.Equal("failed", body.GetProperty("state").GetString());
        Assert.Equal(1, body.GetProperty("attempts").GetInt32());
        Assert.Equal("HTTP 404 Not Found", body.GetProperty("lastError").GetString());
        Assert.EndsWith("Z", body.GetProperty("startedAt").GetString());
        Assert.EndsWith("Z", body.GetProperty("finishedAt").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("feedId").ValueKind);
    }

    [Fact]
    public async Task GetJob_Returns404Problem_ForUnknownId()
    {
        var response = await _app.Client.GetAsync("/api/jobs/42");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Cancelled)]
    public async Task Retry_Returns202AndMakesTheJobPending_WhenFailedOrCancelled(JobState state)
    {
        var job = await _app.JobInStateAsync(state);

        var response = await _app.Client.PostAsync($"/api/jobs/{job.Id}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("pending", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var stored = await _app.GetJobAsync(job.Id);
        Assert.Equal(JobState.Pending, stored.State);
        Assert.Equal(0, stored.Attempts);
    }

    [Theory]
    [InlineData(JobState.Pending)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Succeeded)]
    public async Task Retry_Returns409ProblemAndChangesNothing_InOtherStates(JobState state)
    {
        var job = await _app.JobInStateAsync(state);

        var response = await _app.Client.PostAsync($"/api/jobs/{job.Id}/retry", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(job.Version, (await _app.GetJobAsync(job.Id)).Version);
    }

    [Fact]
    public async Task Retry_Returns409_WhenTheFeedAlreadyHasALiveFetch()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");
        var failed = await _app.JobInStateAsync(JobState.Failed, feed.Id);
        await _app.JobInStateAsync(JobState.Pending, feed.Id);

        var response = await _app.Client.PostAsync($"/api/jobs/{failed.Id}/retry", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(JobState.Failed, (await _app.GetJobAsync(failed.Id)).State);
    }

    [Fact]
    public async Task Retry_Returns404Problem_ForUnknownId()
    {
        var response = await _app.Client.PostAsync("/api/jobs/42/retry", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Cancel_Returns202AndCancels_APendingJob()
    {
        var job = await _app.JobInStateAsync(JobState.Pending);

        var response = await _app.Client.PostAsync($"/api/jobs/{job.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(JobState.Cancelled, (await _app.GetJobAsync(job.Id)).State);
    }

    [Theory]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Cancelled)]
    public async Task Cancel_Returns409ProblemAndChangesNothing_WhenNotPending(JobState state)
    {
        var job = await _app.JobInStateAsync(state);

        var response = await _app.Client.PostAsync($"/api/jobs/{job.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var stored = await _app.GetJobAsync(job.Id);
        Assert.Equal(state, stored.State);
        Assert.Equal(job.Version, stored.Version);
    }

    [Fact]
    public async Task Cancel_Returns404Problem_ForUnknownId()
    {
        var response = await _app.Client.PostAsync("/api/jobs/42/cancel", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Queue_CountsJobsByState_AndListsWorkers()
    {
        await _app.JobInStateAsync(JobState.Succeeded);
        await _app.JobInStateAsync(JobState.Succeeded);
        await _app.JobInStateAsync(JobState.Failed);
        await _app.JobInStateAsync(JobState.Cancelled);
        await _app.JobInStateAsync(JobState.Running);
        await _app.JobInStateAsync(JobState.Pending);
        await _app.JobInStateAsync(JobState.Pending);
        await _app.JobInStateAsync(JobState.Pending);
        await new WorkerRegistry(_app.Db.Contexts, _app.Db.NewLane(), TimeProvider.System).HeartbeatAsync("host:1:abc");

        var body = await _app.Client.GetFromJsonAsync<JsonElement>("/api/queue");

        Assert.Equal(["pending", "running", "succeeded", "failed", "cancelled", "workers"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, body.GetProperty("pending").GetInt32());
        Assert.Equal(1, body.GetProperty("running").GetInt32());
        Assert.Equal(2, body.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, body.GetProperty("failed").GetInt32());
        Assert.Equal(1, body.GetProperty("cancelled").GetInt32());
        var worker = Assert.Single(body.GetProperty("workers").EnumerateArray());
        Assert.Equal(["id", "lastSeenAt"], worker.EnumerateObject().Select(p => p.Name));
        Assert.Equal("host:1:abc", worker.GetProperty("id").GetString());
        Assert.EndsWith("Z", worker.GetProperty("lastSeenAt").GetString());
    }

    [Fact]
    public async Task WorkerPresence_IsAliveOnlyWhileAWorkerHasBeatenRecently()
    {
        var none = await _app.Client.GetFromJsonAsync<JsonElement>("/api/workers/presence");
        var minuteAgo = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-1));
        await new WorkerRegistry(_app.Db.Contexts, _app.Db.NewLane(), minuteAgo).HeartbeatAsync("stale-worker");
        var stale = await _app.Client.GetFromJsonAsync<JsonElement>("/api/workers/presence");
        await new WorkerRegistry(_app.Db.Contexts, _app.Db.NewLane(), TimeProvider.System).HeartbeatAsync("fresh-worker");
        var fresh = await _app.Client.GetFromJsonAsync<JsonElement>("/api/workers/presence");

        Assert.False(none.GetProperty("alive").GetBoolean());
        Assert.False(stale.GetProperty("alive").GetBoolean());
        Assert.True(fresh.GetProperty("alive").GetBoolean());
    }
}

public sealed class JobsApiTestsOnSqlite() : JobsApiTests(DatabaseEngine.Sqlite);

public sealed class JobsApiTestsOnPostgres() : JobsApiTests(DatabaseEngine.Postgres);
