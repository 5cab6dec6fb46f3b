using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.EndToEnd;

/// <summary>The whole path, on each engine: the web API, a real worker process, and a real origin serving the feed.</summary>
public abstract class AddFeedEndToEndTests(DatabaseEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RunningProcess.Patience;
    private WebApp _web = null!;
    private FeedServer _origin = null!;
    private RunningProcess _worker = null!;

    public async Task InitializeAsync()
    {
        _web = await WebApp.StartAsync(engine: engine);
        _origin = await FeedServer.StartAsync();
        _worker = RunningProcess.StartWorker(_web.Db.ConnectionString);
        await Eventually.TrueAsync(async () =>
        {
            await using var db = _web.Db.Open();
            return await db.Workers.AnyAsync();
        }, Patience, "the worker to register");
    }

    public async Task DisposeAsync()
    {
        _worker.Dispose();
        await _origin.DisposeAsync();
        await _web.DisposeAsync();
    }

    [Fact]
    public async Task AddedFeed_IsFetchedByTheWorker_AndItsItemsAreServedNewestFirst()
    {
        _origin.Serve("/blog/feed.xml", FeedSamples.Rss(3, title: "Local Blog"));
        var clock = Stopwatch.StartNew();

        var post = await _web.PostFeedAsync(_origin.Url("/blog/feed.xml").ToString());

        var accepted = clock.Elapsed;
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var created = await post.Content.ReadFromJsonAsync<JsonElement>();
        var feedId = created.GetProperty("feedId").GetInt64();
        var jobId = created.GetProperty("jobId").GetInt64();
        Assert.Equal($"/api/jobs/{jobId}", post.Headers.Location?.ToString());

        var job = await PollJobAsync(jobId, state => state is "succeeded" or "failed");
        output.WriteLine($"POST answered in {accepted.TotalMilliseconds:0.0} ms; job succeeded {clock.Elapsed.TotalMilliseconds:0} ms after the POST");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Equal(feedId, job.GetProperty("feedId").GetInt64());

        var feed = await _web.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feedId}");
        Assert.Equal("Local Blog", feed.GetProperty("title").GetString());
        Assert.Equal(3, feed.GetProperty("itemCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, feed.GetProperty("lastError").ValueKind);
        var items = await _web.Client.GetFromJsonAsync<JsonElement[]>($"/api/feeds/{feedId}/items");
        Assert.Equal(["Item 3", "Item 2", "Item 1"], items!.Select(i => i.GetProperty("title").GetString()));
        Assert.Contains("Body of item 3", items![0].GetProperty("contentHtml").GetString());

        var page = await _web.Client.GetStringAsync($"/feeds/{feedId}");
        Assert.Contains("Item 3", page);
    }

    [Fact]
    public async Task AddedFeedThatIsMissing_FailsWithAReadableErrorOnTheJobAndTheFeed()
    {
        var post = await _web.PostFeedAsync(_origin.Url("/gone.xml").ToString());
        var created = await post.Content.ReadFromJsonAsync<JsonElement>();

        var job = await PollJobAsync(created.GetProperty("jobId").GetInt64(), state => state is "succeeded" or "failed");

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Equal("HTTP 404 Not Found", job.GetProperty("lastError").GetString());
        var feed = await _web.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{created.GetProperty("feedId").GetInt64()}");
        Assert.Equal("HTTP 404 Not Found", feed.GetProperty("lastError").GetString());
        Assert.False(_worker.HasExited, _worker.Output);
    }

    [Fact]
    public async Task RefreshNow_OfAFetchedFeed_StoresOnlyTheNewItems()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(2));
        var created = await (await _web.PostFeedAsync(_origin.Url("/feed.xml").ToString())).Content.ReadFromJsonAsync<JsonElement>();
        var feedId = created.GetProperty("feedId").GetInt64();
        await PollJobAsync(created.GetProperty("jobId").GetInt64(), state => state == "succeeded");

        _origin.Serve("/feed.xml", FeedSamples.Rss(4));
        var refresh = await _web.Client.PostAsync($"/api/feeds/{feedId}/refresh", null);
        Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        var refreshJob = (await refresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();
        await PollJobAsync(refreshJob, state => state == "succeeded");

        var items = await _web.Client.GetFromJsonAsync<JsonElement[]>($"/api/feeds/{feedId}/items");
        Assert.Equal(["Item 4", "Item 3", "Item 2", "Item 1"], items!.Select(i => i.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task AfterAFetch_EveryPageOfTheReader_Answers()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(3));
        var created = await (await _web.PostFeedAsync(_origin.Url("/feed.xml").ToString())).Content.ReadFromJsonAsync<JsonElement>();
        var feedId = created.GetProperty("feedId").GetInt64();
        await PollJobAsync(created.GetProperty("jobId").GetInt64(), state => state == "succeeded");
        var itemId = (await _web.Client.GetFromJsonAsync<JsonElement[]>($"/api/feeds/{feedId}/items"))![0].GetProperty("id").GetInt64();

        foreach (var page in new[]
        {
            "/", "/unread", "/all", "/starred", "/folders", "/jobs", $"/feeds/{feedId}", $"/feeds/{feedId}/settings", $"/feeds/{feedId}/delete",
            $"/items/{itemId}", "/settings", "/users", "/opml", "/opml/export", "/backups", "/metrics",
        })
        {
            var response = await _web.Client.GetAsync(page);
            Assert.True(response.IsSuccessStatusCode, $"{page}: {(int)response.StatusCode}");
        }
        var api = await _web.Client.GetFromJsonAsync<JsonElement>("/api/queue");
        Assert.Equal(JsonValueKind.Object, api.ValueKind);
    }

    private async Task<JsonElement> PollJobAsync(long jobId, Func<string?, bool> done)
    {
        try
        {
            return await Eventually.GetAsync(
                () => _web.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}"),
                job => done(job.GetProperty("state").GetString()),
                Patience,
                $"job {jobId} to finish");
        }
        catch (TimeoutException)
        {
            output.WriteLine(_worker.Output);
            throw;
        }
    }
}

public sealed class AddFeedEndToEndTestsOnSqlite(ITestOutputHelper output) : AddFeedEndToEndTests(DatabaseEngine.Sqlite, output);

public sealed class AddFeedEndToEndTestsOnPostgres(ITestOutputHelper output) : AddFeedEndToEndTests(DatabaseEngine.Postgres, output);
