using System.Net;
using System.Net.Http.Json;
using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Tests.Worker.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Items;

/// <summary>
/// "Load full article" through the web (the item page's form and <c>/api/items/{id}/article</c>)
/// with the worker's handler on the same database file, and the feed page's "fetch original
/// content" switch.
/// </summary>
public abstract class ItemArticleTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private FetchHarness _worker = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _worker = await FetchHarness.StartAsync(on: _app.Db);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _app.DisposeAsync();
    }

    /// <summary>An administrator's feed with one item whose link is <c>/posts/1</c> on the worker's origin, serving its article page.</summary>
    private async Task<(long FeedId, long ItemId)> AddItemWithArticleAsync()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1, title: "Harbour notes");
        var itemId = feed.Items[0].Id;
        await using var db = _app.Db.Open();
        await db.FeedItems.Where(i => i.Id == itemId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Link, _worker.Origin.Url("/posts/1").ToString()));
        _worker.Origin.Serve("/posts/1", ArticleSamples.Page(1), "text/html; charset=utf-8");
        return (feed.Id, itemId);
    }

    [Fact]
    public async Task LoadFullArticle_OnTheItemPage_QueuesTheJob_AndThePageAndApiShowTheArticleOnceTheWorkerRanIt()
    {
        var (feedId, itemId) = await AddItemWithArticleAsync();
        var before = await _app.Client.GetStringAsync($"/items/{itemId}");
        Assert.Contains(">Load full article</button>", before);

        var post = await _app.PostFormAsync($"/items/{itemId}", $"/items/{itemId}?handler=Article",
            new Dictionary<string, string> { ["returnUrl"] = $"/items/{itemId}" });

        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal($"/items/{itemId}", post.Headers.Location?.OriginalString);
        long jobId;
        await using (var db = _app.Db.Open())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Type == ArticleJobs.FetchArticle);
            Assert.Equal((feedId, itemId, JobPriority.User, JobState.Pending), (job.FeedId!.Value, ArticleJobs.ItemIdOf(job.Payload), job.Priority, job.State));
            jobId = job.Id;
        }
        // While it waits, the item page follows the job (and a reload does not queue another).
        var waiting = await _app.Client.GetStringAsync($"/items/{itemId}");
        Assert.Contains($"data-job-id=\"{jobId}\"", waiting);
        var none = await _app.Client.GetFromJsonAsync<ArticleAnswer>($"/api/items/{itemId}/article");
        Assert.Null(none!.ArticleHtml);

        Assert.True(await _worker.RunNextOfTypeAsync(ArticleJobs.FetchArticle));

        var answer = await _app.Client.GetFromJsonAsync<ArticleAnswer>($"/api/items/{itemId}/article");
        Assert.Contains(ArticleSamples.BodyText, answer!.ArticleHtml);
        Assert.DoesNotContain("<script", answer.ArticleHtml);
        Assert.NotNull(answer.FetchedAt);
        var page = await _app.Client.GetStringAsync($"/items/{itemId}");
        Assert.Contains("data-content=\"article\"", page);
        Assert.Contains($"{ArticleSamples.BodyText} in paragraph 1 of post 1", page);
        Assert.DoesNotContain("Body of <b>item 1</b>", page);
        Assert.Contains($"href=\"/items/{itemId}?text=feed\"", page);
        Assert.DoesNotContain(">Load full article</button>", page);

        // The switch back: the feed's own text, and a way to the article again.
        var feedText = await _app.Client.GetStringAsync($"/items/{itemId}?text=feed");
        Assert.Contains("<div class=\"content\"><p>Body of <b>item 1</b></p></div>", feedText);
        Assert.DoesNotContain(ArticleSamples.BodyText, feedText);
        Assert.Contains($"href=\"/items/{itemId}\" data-show=\"article\"", feedText);
    }

    [Fact]
    public async Task TheArticleApi_QueuesOneJobPerItem_RefusesItemsWithoutALink_AndHidesOtherUsersItems()
    {
        var (_, itemId) = await AddItemWithArticleAsync();

        var first = await _app.Client.PostAsync($"/api/items/{itemId}/article", null);
        var again = await _app.Client.PostAsync($"/api/items/{itemId}/article", null);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var job = await first.Content.ReadFromJsonAsync<JobAnswer>();
        Assert.Equal($"/api/jobs/{job!.JobId}", first.Headers.Location?.OriginalString);
        Assert.Equal(job.JobId, (await again.Content.ReadFromJsonAsync<JobAnswer>())!.JobId);
        var polled = await _app.Client.GetFromJsonAsync<JobStatus>($"/api/jobs/{job.JobId}");
        Assert.Equal(("fetch-article", "pending"), (polled!.Type, polled.State));

        await using (var db = _app.Db.Open())
        {
            await db.FeedItems.Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Link, "mailto:someone@example.com"));
        }
        var noLink = await _app.Client.PostAsync($"/api/items/{itemId}/article", null);
        Assert.Equal(HttpStatusCode.BadRequest, noLink.StatusCode);
        Assert.Equal("application/problem+json", noLink.Content.Headers.ContentType?.MediaType);

        var (_, other) = await _app.CreateUserAsync("bea");
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/items/{itemId}/article", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/items/{itemId}/article")).StatusCode);
    }

    [Fact]
    public async Task AFailedLoad_LeavesTheFeedsText_AndTheItemPageSaysWhy()
    {
        var (_, itemId) = await AddItemWithArticleAsync();
        _worker.Origin.Map("/posts/1", (context, _) =>
        {
            context.Response.StatusCode = 410;
            return Task.CompletedTask;
        });
        await _app.Client.PostAsync($"/api/items/{itemId}/article", null);

        Assert.True(await _worker.RunNextOfTypeAsync(ArticleJobs.FetchArticle));

        var page = await _app.Client.GetStringAsync($"/items/{itemId}");
        Assert.Contains("The article could not be loaded: HTTP 410 Gone", page);
        Assert.Contains("<div class=\"content\"><p>Body of <b>item 1</b></p></div>", page);
        Assert.Contains(">Load full article</button>", page);
    }

    [Fact]
    public async Task TheFeedPagesSwitch_TurnsFetchOriginalContentOnAndOff_ForTheCallersSubscriptionOnly()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);
        var (beaId, _) = await _app.CreateUserAsync("bea");
        await _app.Db.SubscribeAsync(beaId, feed.Id);
        Assert.Contains("Fetch original content: <strong>off</strong>", await _app.Client.GetStringAsync($"/feeds/{feed.Id}"));

        var on = await _app.PostFormAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=FetchOriginal",
            new Dictionary<string, string> { ["on"] = "true" });

        Assert.Equal(HttpStatusCode.Redirect, on.StatusCode);
        var page = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");
        Assert.Contains("Fetch original content: <strong>on</strong>", page);
        Assert.Contains("New items will have their full article loaded", page);
        await using (var db = _app.Db.Open())
        {
            var flags = await db.Subscriptions.Where(s => s.FeedId == feed.Id).ToDictionaryAsync(s => s.UserId, s => s.FetchOriginalContent);
            Assert.True(flags[await _app.AdminIdAsync()]);
            Assert.False(flags[beaId]);
        }

        await _app.PostFormAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=FetchOriginal",
            new Dictionary<string, string> { ["on"] = "false" });
        Assert.Contains("Fetch original content: <strong>off</strong>", await _app.Client.GetStringAsync($"/feeds/{feed.Id}"));

        // Without the antiforgery token the post is refused.
        var forged = await _app.Client.PostAsync($"/feeds/{feed.Id}?handler=FetchOriginal",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["on"] = "true" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    private sealed record ArticleAnswer(long ItemId, string? Link, string? ArticleHtml, DateTime? FetchedAt);

    private sealed record JobAnswer(long ItemId, long JobId);

    private sealed record JobStatus(string Type, string State);
}

public sealed class ItemArticleTestsOnSqlite() : ItemArticleTests(DatabaseEngine.Sqlite);

public sealed class ItemArticleTestsOnPostgres() : ItemArticleTests(DatabaseEngine.Postgres);
