using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Tests.Worker.Feeds;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Articles;

/// <summary>
/// A fetch-article job that cannot get an article fails with a readable error on the job, and the
/// item keeps the feed's text only: the fetcher's limits and guard apply to article pages too.
/// </summary>
public sealed class FetchArticleFailureTests : IAsyncLifetime
{
    private FetchHarness _h = null!;

    public async Task InitializeAsync() => _h = await FetchHarness.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Feeds:FetchTimeout"] = "00:00:01",
        ["Articles:MaxPageBytes"] = "16384",
    });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    /// <summary>An item linking to <paramref name="path"/> on the origin, with a pending fetch-article job; the job's and the item's ids.</summary>
    private static async Task<(long JobId, long ItemId)> QueueArticleAsync(FetchHarness h, string path)
    {
        var feed = await h.Db.AddFeedAsync(h.Origin.Url("/feed.xml").ToString(), itemCount: 1);
        long itemId;
        await using (var db = h.Db.Open())
        {
            var item = await db.FeedItems.SingleAsync(i => i.FeedId == feed.Id);
            item.Link = h.Origin.Url(path).ToString();
            await db.SaveChangesAsync();
            itemId = item.Id;
        }
        var job = await h.Services.GetRequiredService<JobQueue>().EnqueueAsync(ArticleJobs.Fetch(feed.Id, itemId, JobPriority.User));
        return (job.Id, itemId);
    }

    private static async Task<(Job Job, FeedItem Item)> RunAsync(FetchHarness h, long jobId, long itemId)
    {
        Assert.True(await h.RunNextOfTypeAsync(ArticleJobs.FetchArticle));
        await using var db = h.Db.Open();
        return (await h.JobAsync(jobId), await db.FeedItems.AsNoTracking().SingleAsync(i => i.Id == itemId));
    }

    private static void AssertFeedTextOnly(FeedItem item)
    {
        Assert.Null(item.ArticleHtml);
        Assert.Null(item.ArticleFetchedAt);
        Assert.Equal("<p>Body of <b>item 1</b></p>", item.ContentHtml);
    }

    [Fact]
    public async Task APageThatIsNotFound_FailsAtOnce_SayingSo()
    {
        var (jobId, itemId) = await QueueArticleAsync(_h, "/posts/gone");

        var (job, item) = await RunAsync(_h, jobId, itemId);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("The article could not be loaded: HTTP 404 Not Found", job.LastError);
        AssertFeedTextOnly(item);
    }

    [Fact]
    public async Task APageOverArticlesMaxPageBytes_IsRefused()
    {
        _h.Origin.Serve("/posts/huge", ArticleSamples.Page(1) + new string(' ', 40_000), "text/html");
        var (jobId, itemId) = await QueueArticleAsync(_h, "/posts/huge");

        var (job, item) = await RunAsync(_h, jobId, itemId);

        Assert.Equal(JobState.Failed, job.State);
        Assert.StartsWith("The article could not be loaded: Response larger than", job.LastError);
        AssertFeedTextOnly(item);
    }

    [Fact]
    public async Task APageSlowerThanFeedsFetchTimeout_TimesOut_AndIsTriedAgainLater()
    {
        _h.Origin.Map("/posts/slow", async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await context.Response.WriteAsync(ArticleSamples.Page(1));
        });
        var (jobId, itemId) = await QueueArticleAsync(_h, "/posts/slow");

        var (job, item) = await RunAsync(_h, jobId, itemId);

        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal(1, job.Attempts);
        Assert.Equal("The article could not be loaded: Timed out after 1 s", job.LastError);
        AssertFeedTextOnly(item);
    }

    [Fact]
    public async Task APageWithNoArticle_FailsWithAReadableReason()
    {
        _h.Origin.Serve("/posts/empty", "<!doctype html><html><head><title>Nothing</title></head><body><nav><a href=\"/\">Home</a></nav></body></html>", "text/html");
        var (jobId, itemId) = await QueueArticleAsync(_h, "/posts/empty");

        var (job, item) = await RunAsync(_h, jobId, itemId);

        Assert.Equal(JobState.Failed, job.State);
        Assert.StartsWith($"No readable article was found at {_h.Origin.Url("/posts/empty")}", job.LastError);
        AssertFeedTextOnly(item);
    }

    [Fact]
    public async Task APageNestedTooDeep_IsRefusedBeforeItIsParsed()
    {
        var nested = string.Concat(Enumerable.Repeat("<div>", 2000)) + ArticleSamples.Page(1);
        _h.Origin.Serve("/posts/nested", nested, "text/html; charset=utf-8");
        var (jobId, itemId) = await QueueArticleAsync(_h, "/posts/nested");

        var (job, item) = await RunAsync(_h, jobId, itemId);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal($"The page at {_h.Origin.Url("/posts/nested")} is too complex to read (over 30,000 elements or 300 levels deep)", job.LastError);
        AssertFeedTextOnly(item);
    }

    [Fact]
    public async Task ALinkToSomethingOtherThanAWebPage_FailsSayingWhatItIs()
    {
        _h.Origin.Serve("/posts/photo.png", "\u0089PNG....", "image/png");
        var (jobId, itemId) = await QueueArticleAsync(_h, "/posts/photo.png");

        var (job, item) = await RunAsync(_h, jobId, itemId);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal($"The page at {_h.Origin.Url("/posts/photo.png")} is not a web page (image/png)", job.LastError);
        AssertFeedTextOnly(item);
    }

    [Fact]
    public async Task AnArticleOnAPrivateAddress_IsRefused_UnlessFeedsAllowPrivateAddresses()
    {
        await using var guarded = await FetchHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Feeds:AllowPrivateAddresses"] = "false",
        });
        guarded.Origin.Serve("/posts/1", ArticleSamples.Page(1), "text/html; charset=utf-8");
        var (jobId, itemId) = await QueueArticleAsync(guarded, "/posts/1");

        var (job, item) = await RunAsync(guarded, jobId, itemId);

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("The article could not be loaded: Blocked: 127.0.0.1 is a private address", job.LastError);
        Assert.Equal(0, guarded.Origin.Hits("/posts/1"));
        AssertFeedTextOnly(item);

        // The same page, where the setting allows the address (this class's harness), is stored.
        _h.Origin.Serve("/posts/1", ArticleSamples.Page(1), "text/html; charset=utf-8");
        var (allowedJobId, allowedItemId) = await QueueArticleAsync(_h, "/posts/1");
        var (allowed, stored) = await RunAsync(_h, allowedJobId, allowedItemId);
        Assert.Equal(JobState.Succeeded, allowed.State);
        Assert.Contains(ArticleSamples.BodyText, stored.ArticleHtml);
    }
}
