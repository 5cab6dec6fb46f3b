using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Feeds;

public abstract class FeedsApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task PostFeed_Returns202WithJobAndLocation_ForNewUrl()
    {
        var response = await _app.PostFeedAsync("https://example.com/feed.xml");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var feedId = body.GetProperty("feedId").GetInt64();
        var jobId = body.GetProperty("jobId").GetInt64();
        Assert.Equal($"/api/jobs/{jobId}", response.Headers.Location?.OriginalString);

        await using var db = _app.Db.Open();
        var feed = await db.Feeds.SingleAsync();
        Assert.Equal(feedId, feed.Id);
        Assert.Equal("https://example.com/feed.xml", feed.Url);
        var job = await db.Jobs.SingleAsync();
        Assert.Equal(jobId, job.Id);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal(FeedJobs.FetchFeed, job.Type);
        Assert.Equal(feedId, job.FeedId);
        Assert.Equal(JobPriority.User, job.Priority);
        Assert.Equal(FeedJobs.UniqueKey(feedId), job.UniqueKey);
    }

    [Fact]
    public async Task PostFeed_Returns200WithExistingFeedAndItsLiveJob_ForSameUrlSpelledDifferently()
    {
        var first = await (await _app.PostFeedAsync("https://example.com/feed.xml")).Content.ReadFromJsonAsync<JsonElement>();

        var again = await _app.PostFeedAsync("  HTTPS://EXAMPLE.com:443/feed.xml#latest ");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Null(again.Headers.Location);
        var body = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.GetProperty("feedId").GetInt64(), body.GetProperty("feedId").GetInt64());
        Assert.Equal(first.GetProperty("jobId").GetInt64(), body.GetProperty("jobId").GetInt64());
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Feeds.CountAsync());
        Assert.Equal(1, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task PostFeed_Returns200WithNullJob_WhenExistingFeedHasNoLiveJob()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");
        await _app.JobInStateAsync(JobState.Succeeded, feed.Id);

        var response = await _app.PostFeedAsync("https://example.com/feed.xml");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(feed.Id, body.GetProperty("feedId").GetInt64());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("jobId").ValueKind);
    }

    [Fact]
    public async Task PostFeed_Returns200WithTheFeedFoundThere_ForAPageAddressWhoseFeedWasDiscovered()
    {
        // As the worker leaves it after following the page's <link rel="alternate">.
        var feed = await _app.AddFeedAsync("https://blog.example/feed.xml");
        await using (var db = _app.Db.Open())
        {
            await db.Feeds.Where(f => f.Id == feed.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(f => f.AddedUrl, "https://blog.example/"));
        }

        var again = await _app.PostFeedAsync("https://blog.example/");
        var direct = await _app.PostFeedAsync("https://blog.example/feed.xml");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(feed.Id, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedId").GetInt64());
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(feed.Id, (await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedId").GetInt64());
        await using var check = _app.Db.Open();
        Assert.Equal(1, await check.Feeds.CountAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/feed.xml")]
    [InlineData("/relative/feed.xml")]
    [InlineData("feed.xml")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://")]
    [InlineData("https://user:secret@example.com/feed.xml")]
    public async Task PostFeed_Returns400ProblemAndStoresNothing_ForBadUrls(string url)
    {
        var response = await _app.PostFeedAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"url": 5}""")]
    [InlineData("""["https://example.com/feed.xml"]""")]
    public async Task PostFeed_Returns400ProblemAndStoresNothing_ForMalformedBodies(string json)
    {
        var response = await _app.Client.PostAsync("/api/feeds", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task PostFeed_GivesEachOfManyConcurrentRequestsItsOwnAnswer_WhenTheyAreWrittenTogether()
    {
        var urls = Enumerable.Range(0, 20).Select(i => $"https://site{i}.example/feed.xml").ToList();

        var responses = await Task.WhenAll(urls.Concat(urls).Select(url => Task.Run(async () =>
        {
            var response = await _app.PostFeedAsync(url);
            return (Url: url, response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        })));

        await using var db = _app.Db.Open();
        var feeds = await db.Feeds.ToDictionaryAsync(f => f.Url, f => f.Id);
        var jobs = await db.Jobs.ToDictionaryAsync(j => j.Id, j => j.FeedId);
        Assert.Equal(20, feeds.Count);
        Assert.Equal(20, jobs.Count);
        foreach (var answers in responses.GroupBy(r => r.Url))
        {
            // One request created the feed; the other found it, with the same live job.
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Accepted], answers.Select(a => a.StatusCode).Order());
            var feedId = Assert.Single(answers.Select(a => a.Body.GetProperty("feedId").GetInt64()).Distinct());
            var jobId = Assert.Single(answers.Select(a => a.Body.GetProperty("jobId").GetInt64()).Distinct());
            Assert.Equal(feeds[answers.Key], feedId);
            Assert.Equal(feedId, jobs[jobId]);
        }
    }

    [Fact]
    public async Task PostFeed_CreatesOneFeedAndOneJob_WhenTheSameUrlIsPostedConcurrently()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _app.PostFeedAsync("https://example.com/feed.xml"))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.OK }));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Single(bodies.Select(b => b.GetProperty("feedId").GetInt64()).Distinct());
        Assert.Single(bodies.Select(b => b.GetProperty("jobId").GetInt64()).Distinct());
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Feeds.CountAsync());
        Assert.Equal(1, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task GetFeeds_ListsFeedsInContractShape_WithItemCounts()
    {
        var a = await _app.AddFeedAsync("https://a.example/feed", itemCount: 3, title: "A", lastError: "HTTP 500");
        var b = await _app.AddFeedAsync("https://b.example/feed");

        var feeds = await _app.Client.GetFromJsonAsync<JsonElement>("/api/feeds");

        Assert.Equal(2, feeds.GetArrayLength());
        var first = feeds[0];
        // The contract's fields in its order, then the refresh schedule and read state the code adds beyond it.
        Assert.Equal(
            ["id", "url", "title", "siteUrl", "lastFetchedAt", "lastError", "itemCount", "nextRefreshAt", "consecutiveFailures", "unreadCount", "iconUrl", "folderId", "fetchNote",
             "refreshIntervalMinutes", "userAgent", "disabled"],
            first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(a.Id, first.GetProperty("id").GetInt64());
        Assert.Equal("A", first.GetProperty("title").GetString());
        Assert.Equal("HTTP 500", first.GetProperty("lastError").GetString());
        Assert.Equal(3, first.GetProperty("itemCount").GetInt32());
        Assert.Equal(3, first.GetProperty("unreadCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("iconUrl").ValueKind);
        Assert.Equal(b.Id, feeds[1].GetProperty("id").GetInt64());
        Assert.Equal(0, feeds[1].GetProperty("itemCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, feeds[1].GetProperty("title").ValueKind);
    }

    [Fact]
    public async Task GetFeed_ReturnsTheFeed_And404ProblemForUnknownId()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 2);

        var found = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}");
        var missing = await _app.Client.GetAsync($"/api/feeds/{feed.Id + 1}");

        Assert.Equal("https://example.com/feed.xml", found.GetProperty("url").GetString());
        Assert.Equal(2, found.GetProperty("itemCount").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetItems_PagesNewestFirst_WithBefore()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 5);
        var ids = feed.Items.Select(i => i.Id).OrderByDescending(id => id).ToArray();

        var page1 = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}/items?limit=2");
        var page2 = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}/items?limit=2&before={ids[1]}");
        var page3 = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}/items?limit=2&before={ids[3]}");

        Assert.Equal(ids[..2], Ids(page1));
        Assert.Equal(ids[2..4], Ids(page2));
        Assert.Equal(ids[4..], Ids(page3));
        Assert.Equal(
            ["id", "guid", "title", "link", "author", "publishedAt", "contentHtml"],
            page1[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("Item 5", page1[0].GetProperty("title").GetString());
        Assert.Equal("2026-01-01T05:00:00Z", page1[0].GetProperty("publishedAt").GetString());
        Assert.Equal("<p>Body of <b>item 5</b></p>", page1[0].GetProperty("contentHtml").GetString());
    }

    [Theory]
    [InlineData("", 50)]
    [InlineData("?limit=0", 1)]
    [InlineData("?limit=-5", 1)]
    [InlineData("?limit=7", 7)]
    [InlineData("?limit=1000", 200)]
    public async Task GetItems_ClampsLimitTo1Through200_DefaultingTo50(string query, int expected)
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 201);

        var items = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}/items{query}");

        Assert.Equal(expected, items.GetArrayLength());
    }

    [Fact]
    public async Task GetItems_Returns404Problem_ForUnknownFeed()
    {
        var response = await _app.Client.GetAsync("/api/feeds/42/items");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Refresh_Returns202WithTheExistingPendingJob()
    {
        var created = await (await _app.PostFeedAsync("https://example.com/feed.xml")).Content.ReadFromJsonAsync<JsonElement>();
        var feedId = created.GetProperty("feedId").GetInt64();

        var response = await _app.Client.PostAsync($"/api/feeds/{feedId}/refresh", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(feedId, body.GetProperty("feedId").GetInt64());
        Assert.Equal(created.GetProperty("jobId").GetInt64(), body.GetProperty("jobId").GetInt64());
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task Refresh_EnqueuesAUserPriorityJob_WhenNoFetchIsLive()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");
        var done = await _app.JobInStateAsync(JobState.Succeeded, feed.Id);

        var response = await _app.Client.PostAsync($"/api/feeds/{feed.Id}/refresh", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();
        Assert.NotEqual(done.Id, jobId);
        Assert.Equal($"/api/jobs/{jobId}", response.Headers.Location?.OriginalString);
        var job = await _app.GetJobAsync(jobId);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal(JobPriority.User, job.Priority);
        Assert.Equal(feed.Id, job.FeedId);
    }

    [Fact]
    public async Task Refresh_Returns404Problem_ForUnknownFeed()
    {
        var response = await _app.Client.PostAsync("/api/feeds/42/refresh", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Delete_RemovesTheFeedWithItsItemsAndJobs_AndLeavesOtherFeeds()
    {
        var doomed = await _app.AddFeedAsync("https://a.example/feed", itemCount: 3);
        await _app.JobInStateAsync(JobState.Failed, doomed.Id);
        await _app.JobInStateAsync(JobState.Pending, doomed.Id);
        var kept = await _app.AddFeedAsync("https://b.example/feed", itemCount: 2);

        var response = await _app.Client.DeleteAsync($"/api/feeds/{doomed.Id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync($"/api/feeds/{doomed.Id}")).StatusCode);
        await using var db = _app.Db.Open();
        Assert.Equal([kept.Id], await db.Feeds.Select(f => f.Id).ToListAsync());
        Assert.Equal(2, await db.FeedItems.CountAsync());
        Assert.All(await db.FeedItems.ToListAsync(), i => Assert.Equal(kept.Id, i.FeedId));
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task Delete_Returns404Problem_ForUnknownFeed()
    {
        var response = await _app.Client.DeleteAsync("/api/feeds/42");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static long[] Ids(JsonElement items) => [.. items.EnumerateArray().Select(i => i.GetProperty("id").GetInt64())];

    private async Task AssertNothingStoredAsync()
    {
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
    }
}

public sealed class FeedsApiTestsOnSqlite() : FeedsApiTests(DatabaseEngine.Sqlite);

public sealed class FeedsApiTestsOnPostgres() : FeedsApiTests(DatabaseEngine.Postgres);
