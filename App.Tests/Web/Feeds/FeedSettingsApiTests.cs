using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Feeds;

/// <summary><c>PATCH /api/feeds/{id}</c> beyond the name: a feed's refresh interval, user agent and disabled flag, and who may change them.</summary>
public abstract class FeedSettingsApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private static readonly DateTime LastFetch = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private WebApp _app = null!;

    // A default the web can only know from configuration: clearing a feed's interval falls back to it.
    public async Task InitializeAsync() => _app = await WebApp.StartAsync(new Dictionary<string, string> { ["Feeds:RefreshInterval"] = "02:00:00" }, engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<Feed> StoredAsync(long id)
    {
        await using var db = _app.Db.Open();
        return await db.Feeds.AsNoTracking().SingleAsync(f => f.Id == id);
    }

    private async Task<string?> OwnTitleAsync(long userId, long feedId)
    {
        await using var db = _app.Db.Open();
        return await db.Subscriptions.Where(s => s.UserId == userId && s.FeedId == feedId).Select(s => s.Title).SingleAsync();
    }

    [Fact]
    public async Task Patch_StoresTheFieldsItSends_LeavesTheOthers_AndAnswersTheFeedWithThem()
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed", title: "A");
        (await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"title":"Mine"}"""))).EnsureSuccessStatusCode();

        var response = await _app.Client.PatchAsync($"/api/feeds/{feed.Id}",
            Json("""{"refreshIntervalMinutes":360,"userAgent":"  Mozilla/5.0 (compatible; Mine/1.0) ","disabled":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Mine", body.GetProperty("title").GetString());
        Assert.Equal(360, body.GetProperty("refreshIntervalMinutes").GetInt32());
        Assert.Equal("Mozilla/5.0 (compatible; Mine/1.0)", body.GetProperty("userAgent").GetString());
        Assert.True(body.GetProperty("disabled").GetBoolean());
        var stored = await StoredAsync(feed.Id);
        Assert.Equal((360, "Mozilla/5.0 (compatible; Mine/1.0)", true), (stored.RefreshIntervalMinutes, stored.UserAgent, stored.Disabled));
        Assert.Equal("Mine", await OwnTitleAsync(await _app.AdminIdAsync(), feed.Id));

        // null and empty go back to the defaults; a field not sent stays.
        (await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"refreshIntervalMinutes":null,"userAgent":""}"""))).EnsureSuccessStatusCode();
        stored = await StoredAsync(feed.Id);
        Assert.Equal((null, null, true), (stored.RefreshIntervalMinutes, stored.UserAgent, stored.Disabled));
        var listed = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}");
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("refreshIntervalMinutes").ValueKind);
        Assert.True(listed.GetProperty("disabled").GetBoolean());
    }

    [Theory]
    [InlineData("""{"title":"New","refreshIntervalMinutes":14}""", "refreshIntervalMinutes", "between 15 minutes and 24 hours")]
    [InlineData("""{"refreshIntervalMinutes":1441}""", "refreshIntervalMinutes", "not 1441 minutes")]
    [InlineData("""{"refreshIntervalMinutes":0}""", "refreshIntervalMinutes", "between 15 minutes")]
    [InlineData("""{"userAgent":"Agent/1\r\nX-Injected: yes"}""", "userAgent", "printable ASCII")]
    [InlineData("""{"disabled":null}""", "disabled", "true or false")]
    public async Task Patch_RefusesAValueOutOfBounds_With400ProblemNamingTheField_AndStoresNothing(string json, string field, string message)
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed", title: "A");

        var response = await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Contains(message, problem.GetProperty("detail").GetString());
        var stored = await StoredAsync(feed.Id);
        Assert.Equal((null, null, false), (stored.RefreshIntervalMinutes, stored.UserAgent, stored.Disabled));
        Assert.Null(await OwnTitleAsync(await _app.AdminIdAsync(), feed.Id));
    }

    [Fact]
    public async Task Patch_NotAnInteger_Is400Problem()
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed");

        var response = await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"refreshIntervalMinutes":"soon"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ChangingTheInterval_MovesAHealthyFeedsNextRefresh_AndClearingItUsesTheConfiguredDefault()
    {
        var feed = await _app.Db.AddFeedAsync("https://a.example/feed", lastFetchedAt: LastFetch);
        await _app.Db.SubscribeAsync(await _app.AdminIdAsync(), feed.Id);

        (await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"refreshIntervalMinutes":360}"""))).EnsureSuccessStatusCode();
        Assert.Equal(LastFetch.AddHours(6), (await StoredAsync(feed.Id)).NextRefreshAt);

        (await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"refreshIntervalMinutes":null}"""))).EnsureSuccessStatusCode();
        Assert.Equal(LastFetch.AddHours(2), (await StoredAsync(feed.Id)).NextRefreshAt);
    }

    [Fact]
    public async Task ASharedFeedsFetchSettings_AreForAdministrators_WhileItsNameStaysEachReadersOwn()
    {
        var (anaId, ana) = await _app.CreateUserAsync("ana");
        var (bobId, _) = await _app.CreateUserAsync("bob");
        var feed = await _app.Db.AddFeedAsync("https://a.example/feed", title: "A");
        await _app.Db.SubscribeAsync(anaId, feed.Id);

        // Alone on the feed, ana sets how it is fetched.
        (await ana.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"disabled":true}"""))).EnsureSuccessStatusCode();
        Assert.True((await StoredAsync(feed.Id)).Disabled);

        await _app.Db.SubscribeAsync(bobId, feed.Id);
        var refused = await ana.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"title":"Ana's","disabled":false}"""));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("only an administrator", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.True((await StoredAsync(feed.Id)).Disabled);
        Assert.Null(await OwnTitleAsync(anaId, feed.Id));

        (await ana.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"title":"Ana's"}"""))).EnsureSuccessStatusCode();
        Assert.Equal("Ana's", await OwnTitleAsync(anaId, feed.Id));
        Assert.Null(await OwnTitleAsync(bobId, feed.Id));

        // An administrator who follows it changes it for everyone.
        await _app.Db.SubscribeAsync(await _app.AdminIdAsync(), feed.Id);
        (await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"disabled":false}"""))).EnsureSuccessStatusCode();
        Assert.False((await StoredAsync(feed.Id)).Disabled);
    }

    [Fact]
    public async Task AnotherUsersFeed_Is404()
    {
        var (_, ana) = await _app.CreateUserAsync("ana");
        var feed = await _app.AddFeedAsync("https://a.example/feed");

        var response = await ana.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"disabled":true}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False((await StoredAsync(feed.Id)).Disabled);
    }

    [Fact]
    public async Task RefreshNow_OfADisabledFeed_StillQueuesAFetch()
    {
        var feed = await _app.AddFeedAsync("https://a.example/feed");
        (await _app.Client.PatchAsync($"/api/feeds/{feed.Id}", Json("""{"disabled":true}"""))).EnsureSuccessStatusCode();

        var response = await _app.Client.PostAsync($"/api/feeds/{feed.Id}/refresh", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();
        Assert.Equal(feed.Id, (await _app.GetJobAsync(jobId)).FeedId);
    }
}

public sealed class FeedSettingsApiTestsOnSqlite() : FeedSettingsApiTests(DatabaseEngine.Sqlite);

public sealed class FeedSettingsApiTestsOnPostgres() : FeedSettingsApiTests(DatabaseEngine.Postgres);
