using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Accounts;

/// <summary>
/// A second user (not an administrator) cannot see, read, change or delete the first user's
/// subscriptions, read marks, jobs or batches: every such id answers 404, and nothing changes.
/// </summary>
public abstract class UserIsolationTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private HttpClient _bob = null!;
    private Feed _feed = null!;
    private Job _job = null!;
    private long _batchId;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _feed = await _app.AddFeedAsync("https://alice.example/feed.xml", itemCount: 3, title: "Admin's feed");
        _job = await _app.JobInStateAsync(JobState.Pending, _feed.Id);
        await using var db = _app.Db.Open();
        var batch = new JobBatch { Name = "Import of admin.opml", CreatedAt = DateTime.UtcNow, UserId = await _app.AdminIdAsync() };
        db.JobBatches.Add(batch);
        db.FeedIcons.Add(new FeedIcon { FeedId = _feed.Id, ContentType = "image/png", Data = [0x89, 0x50, 0x4E, 0x47], FetchedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        _batchId = batch.Id;
        (_, _bob) = await _app.CreateUserAsync("bob");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("GET", "/api/feeds/{feed}")]
    [InlineData("GET", "/api/feeds/{feed}/items")]
    [InlineData("GET", "/api/feeds/{feed}/icon")]
    [InlineData("PATCH", "/api/feeds/{feed}")]
    [InlineData("POST", "/api/feeds/{feed}/refresh")]
    [InlineData("DELETE", "/api/feeds/{feed}")]
    [InlineData("GET", "/api/jobs/{job}")]
    [InlineData("POST", "/api/jobs/{job}/retry")]
    [InlineData("POST", "/api/jobs/{job}/cancel")]
    [InlineData("GET", "/api/batches/{batch}")]
    [InlineData("PATCH", "/api/items/{item}")]
    [InlineData("GET", "/api/queue")]
    [InlineData("GET", "/api/users")]
    [InlineData("DELETE", "/api/users/1")]
    public async Task Api_Answers404ProblemAndChangesNothing_ForAnotherUsersIds(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Fill(path));
        if (method is "PATCH" or "POST")
        {
            request.Content = JsonContent.Create(new { read = true, starred = true, title = "Mine now" });
        }

        var response = await _bob.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertAdminsDataUnchangedAsync();
    }

    [Theory]
    [InlineData("/feeds/{feed}")]
    [InlineData("/feeds/{feed}/delete")]
    [InlineData("/items/{item}")]
    [InlineData("/jobs/{job}")]
    [InlineData("/batches/{batch}")]
    [InlineData("/jobs")]
    [InlineData("/users")]
    public async Task Pages_Answer404_ForAnotherUsersIds(string path)
    {
        var response = await _bob.GetAsync(Fill(path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("Admin's feed", await response.Content.ReadAsStringAsync());
        await AssertAdminsDataUnchangedAsync();
    }

    [Theory]
    [InlineData("/feeds/{feed}?handler=MarkAllRead")]
    [InlineData("/feeds/{feed}?handler=Refresh")]
    [InlineData("/feeds/{feed}/delete")]
    [InlineData("/items/{item}?handler=Read")]
    [InlineData("/jobs/{job}?handler=Cancel")]
    [InlineData("/jobs/{job}?handler=Retry")]
    [InlineData("/jobs?handler=Cancel&id={job}")]
    public async Task PageHandlers_Answer404AndChangeNothing_ForAnotherUsersIds(string action)
    {
        // Bob's own page gives him a valid antiforgery token; the ids are the administrator's.
        var response = await _app.PostFormAsync("/settings", Fill(action), new Dictionary<string, string> { ["read"] = "true" }, _bob);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertAdminsDataUnchangedAsync();
    }

    [Fact]
    public async Task Lists_ShowOnlyTheCallersOwn()
    {
        var feeds = await _bob.GetFromJsonAsync<JsonElement>("/api/feeds");
        var items = await _bob.GetFromJsonAsync<JsonElement>("/api/items");
        var export = await _bob.GetStringAsync("/opml/export");
        var home = await _bob.GetStringAsync("/");

        Assert.Equal(0, feeds.GetArrayLength());
        Assert.Equal(0, items.GetArrayLength());
        Assert.DoesNotContain("alice.example", export);
        Assert.DoesNotContain("Admin's feed", home);
        Assert.Contains("No feeds yet", home);
    }

    [Fact]
    public async Task TwoUsersSubscribingToOneUrl_ShareOneFeedAndOneFetch()
    {
        var first = await (await _app.PostFeedAsync("https://shared.example/feed.xml")).Content.ReadFromJsonAsync<JsonElement>();

        var second = await _app.PostFeedAsync("https://shared.example/feed.xml", _bob);

        // New to Bob, with the fetch already under way to follow.
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var body = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.GetProperty("feedId").GetInt64(), body.GetProperty("feedId").GetInt64());
        Assert.Equal(first.GetProperty("jobId").GetInt64(), body.GetProperty("jobId").GetInt64());
        var again = await _app.PostFeedAsync("https://shared.example/feed.xml", _bob);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Feeds.CountAsync(f => f.Url == "https://shared.example/feed.xml"));
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.FeedId == first.GetProperty("feedId").GetInt64()));
        var job = await _bob.GetFromJsonAsync<JsonElement>($"/api/jobs/{body.GetProperty("jobId").GetInt64()}");
        Assert.Equal("pending", job.GetProperty("state").GetString());
    }

    [Fact]
    public async Task JoiningAFeedAnotherUserHas_GivesItsItemsUnread_AndReadMarksStayEachUsers()
    {
        await _app.PostFeedAsync(_feed.Url, _bob);
        var itemId = _feed.Items[0].Id;

        var response = await _bob.PatchAsJsonAsync($"/api/items/{itemId}", new { read = true });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var bobs = await _bob.GetFromJsonAsync<JsonElement>($"/api/feeds/{_feed.Id}");
        var admins = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{_feed.Id}");
        Assert.Equal(2, bobs.GetProperty("unreadCount").GetInt32());
        Assert.Equal(3, admins.GetProperty("unreadCount").GetInt32());
        var adminItems = await _app.Client.GetFromJsonAsync<JsonElement>("/api/items?unread=true");
        Assert.Contains(adminItems.EnumerateArray(), i => i.GetProperty("id").GetInt64() == itemId);
    }

    [Fact]
    public async Task Unsubscribing_KeepsTheFeedForOthers_AndTheLastOneOutRemovesIt()
    {
        await _app.PostFeedAsync(_feed.Url, _bob);

        var adminLeaves = await _app.Client.DeleteAsync($"/api/feeds/{_feed.Id}");

        Assert.Equal(HttpStatusCode.NoContent, adminLeaves.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync($"/api/feeds/{_feed.Id}")).StatusCode);
        var bobs = await _bob.GetFromJsonAsync<JsonElement>($"/api/feeds/{_feed.Id}/items");
        Assert.Equal(3, bobs.GetArrayLength());

        var bobLeaves = await _bob.DeleteAsync($"/api/feeds/{_feed.Id}");

        Assert.Equal(HttpStatusCode.NoContent, bobLeaves.StatusCode);
        await using var db = _app.Db.Open();
        Assert.False(await db.Feeds.AnyAsync(f => f.Id == _feed.Id));
        Assert.False(await db.FeedItems.AnyAsync());
        Assert.False(await db.Jobs.AnyAsync(j => j.FeedId == _feed.Id));
        Assert.False(await db.UnreadItems.AnyAsync());
    }

    [Fact]
    public async Task Renaming_IsTheCallersOwnName()
    {
        await _app.PostFeedAsync(_feed.Url, _bob);

        var response = await _bob.PatchAsJsonAsync($"/api/feeds/{_feed.Id}", new { title = "Bob's name for it" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bob's name for it", (await _bob.GetFromJsonAsync<JsonElement>($"/api/feeds/{_feed.Id}")).GetProperty("title").GetString());
        Assert.Equal("Admin's feed", (await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{_feed.Id}")).GetProperty("title").GetString());
        Assert.Contains("Bob's name for it", await _bob.GetStringAsync("/opml/export"));
    }

    private string Fill(string path) => path
        .Replace("{feed}", $"{_feed.Id}")
        .Replace("{item}", $"{_feed.Items[0].Id}")
        .Replace("{job}", $"{_job.Id}")
        .Replace("{batch}", $"{_batchId}");

    private async Task AssertAdminsDataUnchangedAsync()
    {
        await using var db = _app.Db.Open();
        var adminId = await _app.AdminIdAsync();
        Assert.True(await db.Feeds.AnyAsync(f => f.Id == _feed.Id && f.Title == "Admin's feed"));
        Assert.Null(await db.Subscriptions.Where(s => s.FeedId == _feed.Id).Select(s => s.Title).SingleAsync());
        Assert.Equal(3, await db.UnreadItems.CountAsync(u => u.UserId == adminId));
        Assert.False(await db.StarredItems.AnyAsync());
        var job = await db.Jobs.SingleAsync();
        Assert.Equal((_job.State, _job.Version, _job.RunAt, _job.Priority), (job.State, job.Version, job.RunAt, job.Priority));
        Assert.Equal(2, await db.Users.CountAsync());
    }
}

public sealed class UserIsolationTestsOnSqlite() : UserIsolationTests(DatabaseEngine.Sqlite);

public sealed class UserIsolationTestsOnPostgres() : UserIsolationTests(DatabaseEngine.Postgres);
