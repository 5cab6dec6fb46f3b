using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Tests.Worker.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Articles;

/// <summary>
/// "Fetch original content" in the worker: a refresh queues a fetch-article job for each new item
/// when a subscriber asks for it, and the job stores the page's readable article, sanitized.
/// </summary>
public sealed class FetchArticleHandlerTests : IAsyncLifetime
{
    private FetchHarness _h = null!;

    public async Task InitializeAsync() => _h = await FetchHarness.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Articles:MaxPerRefresh"] = "3",
    });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private void ServeFeed(params int[] numbers) => _h.Origin.Serve("/feed.xml", ArticleSamples.Feed(_h.Origin.BaseUrl, numbers));

    private void ServePages(params int[] numbers)
    {
        foreach (var n in numbers)
        {
            _h.Origin.Serve($"/posts/{n}", ArticleSamples.Page(n), "text/html; charset=utf-8");
        }
    }

    /// <summary>A feed with a subscriber whose "fetch original content" is <paramref name="fetchOriginal"/>.</summary>
    private async Task<long> AddSubscribedFeedAsync(bool fetchOriginal)
    {
        var (feedId, _) = await _h.AddFeedAsync("/feed.xml");
        var userId = await _h.Db.AddUserAsync("ana");
        await _h.Db.SubscribeAsync(userId, feedId);
        await SetFetchOriginalAsync(feedId, fetchOriginal);
        return feedId;
    }

    private async Task SetFetchOriginalAsync(long feedId, bool on)
    {
        await using var db = _h.Db.Open();
        await db.Subscriptions.Where(s => s.FeedId == feedId).ExecuteUpdateAsync(s => s.SetProperty(x => x.FetchOriginalContent, on));
    }

    private async Task<List<Job>> ArticleJobsAsync()
    {
        await using var db = _h.Db.Open();
        return await db.Jobs.AsNoTracking().Where(j => j.Type == ArticleJobs.FetchArticle).OrderBy(j => j.Id).ToListAsync();
    }

    private async Task<FeedItem> ItemAsync(long feedId, string guid)
    {
        await using var db = _h.Db.Open();
        return await db.FeedItems.AsNoTracking().SingleAsync(i => i.FeedId == feedId && i.Guid == guid);
    }

    [Fact]
    public async Task ANewItem_OfAFeedWithFetchOriginalContent_GetsItsArticleStored_Extracted_Sanitized_LinksAbsolute()
    {
        ServeFeed(1);
        ServePages(1);
        var feedId = await AddSubscribedFeedAsync(fetchOriginal: true);

        await _h.RunNextOfTypeAsync(FeedJobs.FetchFeed);
        var job = Assert.Single(await ArticleJobsAsync());
        Assert.Equal(JobPriority.Background, job.Priority);
        Assert.Equal(feedId, job.FeedId);
        Assert.True(await _h.RunNextOfTypeAsync(ArticleJobs.FetchArticle));

        Assert.Equal(JobState.Succeeded, (await _h.JobAsync(job.Id)).State);
        var item = await ItemAsync(feedId, "post-1");
        Assert.NotNull(item.ArticleFetchedAt);
        var article = item.ArticleHtml!;
        Assert.Contains($"{ArticleSamples.BodyText} in paragraph 8 of post 1", article);
        Assert.DoesNotContain("<script", article, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("trackingPixel", article);
        Assert.DoesNotContain("injected", article);
        Assert.DoesNotContain("onclick", article);
        Assert.DoesNotContain("<form", article);
        Assert.All(ArticleSamples.JunkText, junk => Assert.DoesNotContain(junk, article));
        Assert.DoesNotContain(">Archive<", article);
        // Relative links and images resolve against the page's address.
        Assert.Contains($"href=\"{_h.Origin.Url("/posts/2")}\"", article);
        Assert.Contains($"src=\"{_h.Origin.Url("/posts/images/harbour-1.jpg")}\"", article);
        // The feed's own text stays as it was, beside the article.
        Assert.Equal("Short summary of post 1.", item.ContentHtml);
    }

    [Fact]
    public async Task OnlyItemsNewToARefresh_GetJobs_NotThoseStoredBeforeTheFlagWasSet()
    {
        ServeFeed(1, 2);
        ServePages(1, 2, 3);
        var feedId = await AddSubscribedFeedAsync(fetchOriginal: false);
        await _h.RunNextOfTypeAsync(FeedJobs.FetchFeed);
        Assert.Empty(await ArticleJobsAsync());

        await SetFetchOriginalAsync(feedId, true);
        ServeFeed(1, 2, 3);
        await _h.RefreshAgainAsync(feedId);
        await _h.RunNextOfTypeAsync(FeedJobs.FetchFeed);

        var job = Assert.Single(await ArticleJobsAsync());
        Assert.Equal((await ItemAsync(feedId, "post-3")).Id, ArticleJobs.ItemIdOf(job.Payload));

        // A refresh that finds nothing new queues nothing more.
        await _h.RefreshAgainAsync(feedId);
        await _h.RunNextOfTypeAsync(FeedJobs.FetchFeed);
        Assert.Single(await ArticleJobsAsync());
    }

    [Fact]
    public async Task ARefreshWithManyNewItems_QueuesOnlyTheNewest_UpToArticlesMaxPerRefresh()
    {
        ServeFeed(1, 2, 3, 4, 5, 6, 7);
        var feedId = await AddSubscribedFeedAsync(fetchOriginal: true);

        await _h.RunNextOfTypeAsync(FeedJobs.FetchFeed);

        var items = await _h.ItemsAsync(feedId);
        Assert.Equal(7, items.Count);
        var queued = (await ArticleJobsAsync()).Select(j => ArticleJobs.ItemIdOf(j.Payload)).Order().ToList();
        Assert.Equal(items.Take(3).Select(i => i.Id).Order().ToList(), queued);
    }

    [Fact]
    public async Task AFeedNobodyAsksOriginalContentOf_GetsNoArticleJobs()
    {
        ServeFeed(1, 2);
        await AddSubscribedFeedAsync(fetchOriginal: false);

        await _h.RunNextOfTypeAsync(FeedJobs.FetchFeed);

        Assert.Empty(await ArticleJobsAsync());
    }
}
