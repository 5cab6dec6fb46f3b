using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Feeds;

/// <summary>The feed pages' actions as their scripts call them, and deletion with its confirmation step.</summary>
public abstract class FeedActionsTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AddFromScript_Answers400WithTheFieldsMessage_AndStoresNothing_ForABadAddress()
    {
        var response = await _app.PostAsScriptAsync("/", "/", new Dictionary<string, string> { ["Address"] = "ftp://example.com/feed" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Address", body.GetProperty("field").GetString());
        Assert.Contains("absolute http or https address", body.GetProperty("message").GetString());
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task AddFromScript_AnswersTheNewFeedAndItsJob_ThenTheKnownFeedWithoutANewJob()
    {
        var fields = new Dictionary<string, string> { ["Address"] = "https://example.com/feed.xml" };

        var first = await (await _app.PostAsScriptAsync("/", "/", fields)).Content.ReadFromJsonAsync<JsonElement>();
        var again = await (await _app.PostAsScriptAsync("/", "/", fields)).Content.ReadFromJsonAsync<JsonElement>();

        await using var db = _app.Db.Open();
        var job = await db.Jobs.SingleAsync();
        Assert.True(first.GetProperty("created").GetBoolean());
        Assert.Equal(job.Id, first.GetProperty("jobId").GetInt64());
        Assert.Equal(job.FeedId, first.GetProperty("feedId").GetInt64());
        Assert.False(again.GetProperty("created").GetBoolean());
        Assert.Equal(job.FeedId, again.GetProperty("feedId").GetInt64());
    }

    [Fact]
    public async Task RefreshFromScript_EnqueuesAtUserPriority_AndAnswersTheJob()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");

        var response = await _app.PostAsScriptAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=Refresh");

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        await using var db = _app.Db.Open();
        var job = await db.Jobs.SingleAsync();
        Assert.Equal(job.Id, body.GetProperty("jobId").GetInt64());
        Assert.Equal(JobPriority.User, job.Priority);
    }

    [Fact]
    public async Task FeedPage_FollowsALiveFetch_WithTheProgressPanel()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");
        var job = await _app.JobInStateAsync(JobState.Running, feed.Id);

        var html = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");

        Assert.Contains($"data-job-id=\"{job.Id}\"", html);
        Assert.Contains("data-on-success=\"reload\"", html);
        Assert.Contains("<span class=\"badge\" data-field=\"step\">Fetching</span>", html);
    }

    [Fact]
    public async Task FeedPage_LeavesARetryWaitingForItsBackoffOut_OfTheProgressPanel()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");
        var job = await _app.Queue.EnqueueAsync(App.Data.Feeds.FeedJobs.Fetch(feed.Id, JobPriority.Background) with
        {
            RunAt = DateTime.UtcNow.AddHours(1),
        });

        var html = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");

        Assert.DoesNotContain($"data-job-id=\"{job.Id}\"", html);
        Assert.Contains("data-job-progress", html);
    }

    [Fact]
    public async Task DeleteConfirmation_AsksFirst_WithAFormThatPostsTheDelete()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 2, title: "Example");

        var feedPage = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");
        var confirm = await _app.Client.GetStringAsync($"/feeds/{feed.Id}/delete");

        Assert.Contains($"href=\"/feeds/{feed.Id}/delete\" data-confirm-delete=", feedPage);
        Assert.Contains("<h1>Delete “Example”?</h1>", confirm);
        Assert.Contains("2 items", confirm);
        Assert.Contains("name=\"__RequestVerificationToken\"", confirm);
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Feeds.CountAsync());
    }

    [Fact]
    public async Task Delete_RemovesTheFeedItsItemsAndJobs_AndSaysSoOnTheList()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 2, title: "Example");
        var kept = await _app.AddFeedAsync("https://other.example/feed.xml", itemCount: 1);
        await _app.JobInStateAsync(JobState.Pending, feed.Id);

        var response = await _app.PostFormAsync($"/feeds/{feed.Id}/delete", $"/feeds/{feed.Id}/delete");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.Contains("Deleted “Example”.", WebUtility.HtmlDecode(await _app.Client.GetStringAsync("/")));
        await using var db = _app.Db.Open();
        Assert.Equal(kept.Id, (await db.Feeds.SingleAsync()).Id);
        Assert.Equal(1, await db.FeedItems.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task Delete_Returns404_ForUnknownFeed()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");

        var response = await _app.PostAsScriptAsync($"/feeds/{feed.Id}", "/feeds/4242/delete");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task FeedPage_OlderPages_AreKeysetPagesByItemId_AndMarkAllReadStopsAtTheNewestShown()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 120);
        var ids = feed.Items.Select(i => i.Id).OrderDescending().ToArray();

        var first = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");
        var second = await _app.Client.GetStringAsync($"/feeds/{feed.Id}?before={ids[49]}");
        var third = await _app.Client.GetStringAsync($"/feeds/{feed.Id}?before={ids[99]}");

        Assert.Contains($"name=\"upTo\" value=\"{ids[0]}\"", first);
        Assert.Contains($"name=\"upTo\" value=\"{ids[0]}\"", third);
        Assert.Contains($"href=\"/feeds/{feed.Id}?before={ids[99]}\" rel=\"next\"", second);
        Assert.Contains($"id=\"item-{ids[50]}\"", second);
        Assert.DoesNotContain($"id=\"item-{ids[49]}\"", second);
        Assert.Contains($"id=\"item-{ids[119]}\"", third);
        Assert.DoesNotContain("rel=\"next\"", third);
        Assert.Contains($"href=\"/feeds/{feed.Id}\">Newest</a>", third);
    }
}

public sealed class FeedActionsTestsOnSqlite() : FeedActionsTests(DatabaseEngine.Sqlite);

public sealed class FeedActionsTestsOnPostgres() : FeedActionsTests(DatabaseEngine.Postgres);
