using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Feeds;
using App.Worker.Queue;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Feeds;

/// <summary>The fetch-feed handler run in-process against a real database and a real origin.</summary>
public sealed class FetchFeedHandlerTests : IAsyncLifetime
{
    private TempDatabase _db = null!;
    private FeedServer _origin = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync();
        _origin = await FeedServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = _db.ConnectionString,
            ["Feeds:AllowPrivateAddresses"] = "true",
        }).Build();
        _services = new ServiceCollection().AddLogging()
            .AddAppDatabase(configuration).AddQueueWorker().AddFeedHandlers(configuration)
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _origin.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Refresh_StoresTheFeedsItemsWithIdsInPublicationOrder_AndItsTitle()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(3, title: "My <i>Blog</i>"));
        var (feedId, jobId) = await AddFeedAsync("/feed.xml");

        await RunOneJobAsync();

        await using var db = _db.Open();
        Assert.Equal(JobState.Succeeded, (await db.Jobs.SingleAsync(j => j.Id == jobId)).State);
        var feed = await db.Feeds.SingleAsync(f => f.Id == feedId);
        Assert.Equal("My Blog", feed.Title);
        Assert.Equal("https://example.com/", feed.SiteUrl);
        Assert.NotNull(feed.LastFetchedAt);
        Assert.Null(feed.LastError);
        var newestFirst = await db.FeedItems.Where(i => i.FeedId == feedId).OrderByDescending(i => i.Id).Select(i => i.Title).ToListAsync();
        Assert.Equal(["Item 3", "Item 2", "Item 1"], newestFirst);
    }

    [Fact]
    public async Task RefreshAgain_AddsOnlyNewItems_AndUpdatesChangedOnesInPlace()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(2));
        var (feedId, _) = await AddFeedAsync("/feed.xml");
        await RunOneJobAsync();
        long firstId;
        await using (var db = _db.Open())
        {
            firstId = await db.FeedItems.Where(i => i.Title == "Item 1").Select(i => i.Id).SingleAsync();
        }

        _origin.Serve("/feed.xml", FeedSamples.Rss(3).Replace("Body of item 1", "Corrected body of item 1"));
        await _services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feedId, JobPriority.User));
        await RunOneJobAsync();

        await using var check = _db.Open();
        var items = await check.FeedItems.Where(i => i.FeedId == feedId).ToListAsync();
        Assert.Equal(3, items.Count);
        var first = items.Single(i => i.Title == "Item 1");
        Assert.Equal(firstId, first.Id);
        Assert.Contains("Corrected body", first.ContentHtml);
    }

    [Fact]
    public async Task Refresh_MarksNewItemsUnreadForEverySubscriber_AndKeepsTheReadMarksOfChangedOnes()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(2));
        var (feedId, _) = await AddFeedAsync("/feed.xml");
        var alice = await _db.AddUserAsync("alice");
        var bob = await _db.AddUserAsync("bob");
        await _db.SubscribeAsync(alice, feedId);
        await _db.SubscribeAsync(bob, feedId);
        await RunOneJobAsync();
        await using (var db = _db.Open())
        {
            Assert.Equal(2, await db.UnreadItems.CountAsync(u => u.UserId == alice));
            var first = await db.FeedItems.Where(i => i.Title == "Item 1").Select(i => i.Id).SingleAsync();
            await db.UnreadItems.Where(u => u.UserId == alice && u.ItemId == first).ExecuteDeleteAsync();
        }

        _origin.Serve("/feed.xml", FeedSamples.Rss(3).Replace("Body of item 1", "Corrected body of item 1"));
        await _services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feedId, JobPriority.User));
        await RunOneJobAsync();

        await using var check = _db.Open();
        var unread = await check.UnreadItems.Join(check.FeedItems, u => u.ItemId, i => i.Id, (u, i) => new { u.UserId, i.Title, u.FeedId }).ToListAsync();
        Assert.Equal(["Item 2", "Item 3"], unread.Where(u => u.UserId == alice).Select(u => u.Title).Order());
        Assert.Equal(["Item 1", "Item 2", "Item 3"], unread.Where(u => u.UserId == bob).Select(u => u.Title).Order());
        Assert.All(unread, u => Assert.Equal(feedId, u.FeedId));
    }

    [Fact]
    public async Task Refresh_OfAMissingFeed_FailsAtOnce_WithTheErrorOnJobAndFeed()
    {
        var (feedId, jobId) = await AddFeedAsync("/missing.xml");

        await RunOneJobAsync();

        await using var db = _db.Open();
        var job = await db.Jobs.SingleAsync(j => j.Id == jobId);
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("HTTP 404 Not Found", job.LastError);
        Assert.Equal("HTTP 404 Not Found", (await db.Feeds.SingleAsync(f => f.Id == feedId)).LastError);
    }

    [Fact]
    public async Task Refresh_AfterAServerError_IsRetriedLater_WithTheErrorShown()
    {
        _origin.Map("/flaky.xml", (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        var (_, jobId) = await AddFeedAsync("/flaky.xml");

        await RunOneJobAsync();

        await using var db = _db.Open();
        var job = await db.Jobs.SingleAsync(j => j.Id == jobId);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal("HTTP 503 Service Unavailable", job.LastError);
        Assert.True(job.RunAt > DateTime.UtcNow);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refresh_StoresOnlyTheNewestItems_UpToFeedsMaxItemsPerFetch(bool dated)
    {
        // A feed of hundreds of thousands of items would otherwise be one write of seconds under the lock.
        await using var h = await FetchHarness.StartAsync(settings: new Dictionary<string, string?> { ["Feeds:MaxItemsPerFetch"] = "5" });
        var body = FeedSamples.Rss(12);
        // Feeds list newest first: without dates, the first items in the document are the newest.
        h.Origin.Serve("/feed.xml", dated ? body : System.Text.RegularExpressions.Regex.Replace(body, "<pubDate>.*?</pubDate>", ""));
        var (feedId, jobId) = await h.AddFeedAsync("/feed.xml");

        await h.RunOneJobAsync();

        Assert.Equal(JobState.Succeeded, (await h.JobAsync(jobId)).State);
        Assert.Equal(["Item 12", "Item 11", "Item 10", "Item 9", "Item 8"], (await h.ItemsAsync(feedId)).Select(i => i.Title));
    }

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("00:02:00")]
    public async Task Timeout_CoversTwoFetchesAtTheConfiguredFetchTimeout_AndTheWorkAfter(string fetchTimeout)
    {
        // Discovery fetches a page and then its feed, each up to Feeds:FetchTimeout.
        await using var h = await FetchHarness.StartAsync(settings: new Dictionary<string, string?> { ["Feeds:FetchTimeout"] = fetchTimeout });
        var fetch = TimeSpan.Parse(fetchTimeout, System.Globalization.CultureInfo.InvariantCulture);

        var timeout = h.Handler(FeedJobs.FetchFeed).Timeout;

        Assert.True(timeout > 2 * fetch, $"{timeout} for fetches of up to {fetch}");
    }

    [Fact]
    public async Task Refresh_StoresSanitizedContent()
    {
        _origin.Serve("/xss.xml", FeedSamples.Rss(1, extraItemHtml: "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=1\">"));
        var (feedId, _) = await AddFeedAsync("/xss.xml");

        await RunOneJobAsync();

        await using var db = _db.Open();
        var content = await db.FeedItems.Where(i => i.FeedId == feedId).Select(i => i.ContentHtml).SingleAsync();
        Assert.Contains("Body of item 1", content);
        Assert.DoesNotContain("script", content);
        Assert.DoesNotContain("onerror", content);
    }

    private async Task<(long FeedId, long JobId)> AddFeedAsync(string path)
    {
        await using var db = _db.Open();
        var feed = new Feed { Url = _origin.Url(path).ToString(), CreatedAt = DateTime.UtcNow };
        db.Feeds.Add(feed);
        await db.SaveChangesAsync();
        var job = await _services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feed.Id, JobPriority.User));
        return (feed.Id, job.Id);
    }

    private async Task RunOneJobAsync()
    {
        var queue = _services.GetRequiredService<JobQueue>();
        var claimed = Assert.Single(await queue.ClaimAsync("test-worker", 1));
        var handler = _services.GetServices<IJobHandler>().Single(h => h.Type == FeedJobs.FetchFeed);
        await handler.RunAsync(new JobRun(claimed, queue), CancellationToken.None);
    }
}
