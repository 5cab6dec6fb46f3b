using System.Collections.Concurrent;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Feeds.Fetch;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Feeds;

/// <summary>A feed's own fetch settings as a refresh honours them: its user agent on the wire, its interval in the schedule.</summary>
public sealed class FeedSettingsFetchTests
{
    private const string OwnAgent = "Mozilla/5.0 (compatible; MyReader/2.0; +https://reader.example.org)";

    [Fact]
    public async Task AFeedsOwnUserAgent_IsSentOnEveryRequestOfItsRefresh_OtherFeedsSendTheReadersOwn()
    {
        await using var h = await FetchHarness.StartAsync();
        var agents = new ConcurrentQueue<(string Path, string Agent)>();
        void Record(string path, string body, string type) => h.Origin.Map(path, (context, _) =>
        {
            agents.Enqueue((path, context.Request.Headers.UserAgent.ToString()));
            context.Response.ContentType = type;
            return context.Response.WriteAsync(body);
        });
        // A page first, so that the second request (the feed it advertises) is checked too.
        Record("/blog/", """<html><head><link rel="alternate" type="application/rss+xml" href="/blog/feed.xml"></head></html>""", "text/html");
        Record("/blog/feed.xml", FeedSamples.Rss(2), "application/rss+xml");
        Record("/plain.xml", FeedSamples.Rss(1), "application/rss+xml");
        var (own, ownJob) = await h.AddFeedAsync("/blog/");
        await SetAsync(h, own, f => f.UserAgent = OwnAgent);
        var (plain, plainJob) = await h.AddFeedAsync("/plain.xml");

        await h.RunOneJobAsync();
        await h.RunOneJobAsync();

        Assert.Equal(JobState.Succeeded, (await h.JobAsync(ownJob)).State);
        Assert.Equal(JobState.Succeeded, (await h.JobAsync(plainJob)).State);
        Assert.Equal(2, (await h.ItemsAsync(own)).Count);
        var sent = agents.ToList();
        Assert.Equal([("/blog/", OwnAgent), ("/blog/feed.xml", OwnAgent)], sent.Where(a => a.Path.StartsWith("/blog/", StringComparison.Ordinal)));
        Assert.Equal(("/plain.xml", FeedFetcher.UserAgent), Assert.Single(sent, a => a.Path == "/plain.xml"));
    }

    [Fact]
    public async Task AFetchSchedulesTheFeedAtItsOwnInterval_SoTheSchedulerFindsItDueLaterOrEarlierThanTheDefault()
    {
        var clock = TempDatabase.FakeClock();
        await using var h = await FetchHarness.StartAsync(clock);
        h.Origin.Serve("/default.xml", FeedSamples.Rss(1));
        h.Origin.Serve("/slow.xml", FeedSamples.Rss(1));
        h.Origin.Serve("/fast.xml", FeedSamples.Rss(1));
        var (normal, _) = await h.AddFeedAsync("/default.xml");
        var (slow, _) = await h.AddFeedAsync("/slow.xml");
        var (fast, _) = await h.AddFeedAsync("/fast.xml");
        await SetAsync(h, slow, f => f.RefreshIntervalMinutes = 6 * 60);
        await SetAsync(h, fast, f => f.RefreshIntervalMinutes = 15);
        for (var i = 0; i < 3; i++)
        {
            await h.RunOneJobAsync();
        }
        var fetchedAt = clock.GetUtcNow().UtcDateTime;
        Assert.Equal(fetchedAt.AddHours(6), (await h.FeedAsync(slow)).NextRefreshAt);

        // 16 minutes on: only the 15-minute feed is due.
        Assert.Equal([fast], await DueAsync(h, fetchedAt.AddMinutes(16)));
        // Past the default hour: the default feed too, but not the one that asked for six hours.
        Assert.Equal(new[] { normal, fast }.Order(), await DueAsync(h, fetchedAt.AddMinutes(61)));
        Assert.Equal(new[] { normal, slow, fast }.Order(), await DueAsync(h, fetchedAt.AddHours(6)));
    }

    [Fact]
    public async Task AFailingFeed_BacksOffFromItsOwnInterval()
    {
        var clock = TempDatabase.FakeClock();
        await using var h = await FetchHarness.StartAsync(clock);
        h.Origin.Map("/gone.xml", (context, _) =>
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        var (feedId, _) = await h.AddFeedAsync("/gone.xml");
        await SetAsync(h, feedId, f => f.RefreshIntervalMinutes = 120);

        await h.RunOneJobAsync();

        // One failure doubles the feed's two hours, not the default hour.
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddHours(4), (await h.FeedAsync(feedId)).NextRefreshAt);
    }

    /// <summary>The feeds the scheduler enqueues a refresh for at <paramref name="now"/>; their jobs are removed again, so each call asks afresh.</summary>
    private static async Task<List<long>> DueAsync(FetchHarness h, DateTime now)
    {
        using (var lane = h.Db.NewLane())
        {
            await FeedJobs.EnqueueDueRefreshesAsync(lane, now, now - TimeSpan.FromHours(1), 5, CancellationToken.None);
        }
        await using var db = h.Db.Open();
        var jobs = await db.Jobs.Where(j => j.Type == FeedJobs.FetchFeed && j.State == JobState.Pending && j.Priority == JobPriority.Background).ToListAsync();
        db.Jobs.RemoveRange(jobs);
        await db.SaveChangesAsync();
        return [.. jobs.Select(j => j.FeedId!.Value).Order()];
    }

    private static async Task SetAsync(FetchHarness h, long feedId, Action<Feed> change)
    {
        await using var db = h.Db.Open();
        change(await db.Feeds.SingleAsync(f => f.Id == feedId));
        await db.SaveChangesAsync();
    }
}
