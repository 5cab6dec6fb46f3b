using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Feeds;

/// <summary>How a refresh answers redirects, discovery, 304 and throttling: what ends up on the feed and the job.</summary>
public sealed class FetchFeedHandlerHttpTests : IAsyncLifetime
{
    private FetchHarness _h = null!;

    public async Task InitializeAsync() => _h = await FetchHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private void Redirect(string from, string to, int status) => _h.Origin.Map(from, (context, _) =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = to;
        return Task.CompletedTask;
    });

    [Theory]
    [InlineData(301, "/new.xml")]
    [InlineData(308, "/new.xml")]
    [InlineData(302, "/old.xml")]
    [InlineData(307, "/old.xml")]
    public async Task ARedirect_UpdatesTheStoredUrl_OnlyWhenPermanent(int status, string storedPath)
    {
        _h.Origin.Serve("/new.xml", FeedSamples.Rss(2));
        Redirect("/old.xml", "/new.xml", status);
        var (feedId, jobId) = await _h.AddFeedAsync("/old.xml");

        await _h.RunOneJobAsync();

        Assert.Equal(JobState.Succeeded, (await _h.JobAsync(jobId)).State);
        var feed = await _h.FeedAsync(feedId);
        Assert.Equal(_h.Origin.Url(storedPath).ToString(), feed.Url);
        // Subscribing again with the old address finds this feed (see FeedSubscriber).
        Assert.Equal(status is 301 or 308 ? _h.Origin.Url("/old.xml").ToString() : null, feed.AddedUrl);
        Assert.Equal(2, (await _h.ItemsAsync(feedId)).Count);
    }

    [Fact]
    public async Task APage_IsFollowedToTheFeedItAdvertises_WhoseUrlIsStored()
    {
        _h.Origin.Serve("/blog/", """
            <!DOCTYPE html><html><head><title>Blog</title>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/atom+xml" title="Atom" href="feeds/atom.xml">
            <link rel="alternate" type="application/rss+xml" href="/rss.xml">
            </head><body>Hello</body></html>
            """, "text/html; charset=utf-8");
        _h.Origin.Serve("/blog/feeds/atom.xml", FeedSamples.Atom, "application/atom+xml");
        var (feedId, jobId) = await _h.AddFeedAsync("/blog/");

        await _h.RunOneJobAsync();

        Assert.Equal(JobState.Succeeded, (await _h.JobAsync(jobId)).State);
        var feed = await _h.FeedAsync(feedId);
        Assert.Equal(_h.Origin.Url("/blog/feeds/atom.xml").ToString(), feed.Url);
        Assert.Equal(_h.Origin.Url("/blog/").ToString(), feed.AddedUrl);
        Assert.Equal("Atom & Tests", feed.Title);
        Assert.Equal(2, (await _h.ItemsAsync(feedId)).Count);
        Assert.Equal(0, _h.Origin.Hits("/rss.xml"));
    }

    [Fact]
    public async Task APageWithoutFeedLinks_FailsAtOnce_WithNoFeedFound()
    {
        _h.Origin.Serve("/page", "<html><head><title>x</title></head><body>No feeds</body></html>", "text/html");
        var (feedId, jobId) = await _h.AddFeedAsync("/page");

        await _h.RunOneJobAsync();

        var job = await _h.JobAsync(jobId);
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("No feed found at this address", job.LastError);
        Assert.Equal("No feed found at this address", (await _h.FeedAsync(feedId)).LastError);
    }

    [Fact]
    public async Task AFeedFoundAtAnotherSubscriptionsUrl_FailsClearly_AndKeepsBothFeeds()
    {
        _h.Origin.Serve("/feed.xml", FeedSamples.Rss(1));
        _h.Origin.Serve("/home", "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\"></head></html>", "text/html");
        await _h.AddFeedAsync("/feed.xml");
        await _h.RunOneJobAsync();
        var (homeId, jobId) = await _h.AddFeedAsync("/home");

        await _h.RunOneJobAsync();

        var job = await _h.JobAsync(jobId);
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal($"The feed is at {_h.Origin.Url("/feed.xml")}, which is already subscribed", job.LastError);
        Assert.Equal(_h.Origin.Url("/home").ToString(), (await _h.FeedAsync(homeId)).Url);
    }

    [Fact]
    public async Task A304_IsASuccessThatChangesNoItems()
    {
        _h.Origin.Map("/cond.xml", async (context, hit) =>
        {
            if (context.Request.Headers.IfNoneMatch == "\"v1\"")
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.LastModified = "Wed, 07 Jan 2026 10:00:00 GMT";
            await context.Response.WriteAsync(FeedSamples.Rss(hit == 1 ? 2 : 3));
        });
        var (feedId, _) = await _h.AddFeedAsync("/cond.xml");
        await _h.RunOneJobAsync();
        var before = await _h.FeedAsync(feedId);
        Assert.Equal("\"v1\"", before.ETag);
        Assert.Equal("Wed, 07 Jan 2026 10:00:00 GMT", before.LastModified);

        var jobId = await _h.RefreshAgainAsync(feedId);
        await _h.RunOneJobAsync();

        Assert.Equal(JobState.Succeeded, (await _h.JobAsync(jobId)).State);
        Assert.Equal(2, (await _h.ItemsAsync(feedId)).Count);
        var after = await _h.FeedAsync(feedId);
        Assert.Equal("\"v1\"", after.ETag);
        Assert.True(after.LastFetchedAt >= before.LastFetchedAt);
        Assert.Equal(2, _h.Origin.Hits("/cond.xml"));
    }

    [Fact]
    public async Task RetryAfter_DelaysTheRetry_NoEarlierThanAsked()
    {
        _h.Origin.Map("/busy.xml", (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "3600";
            return Task.CompletedTask;
        });
        var (feedId, jobId) = await _h.AddFeedAsync("/busy.xml");

        await _h.RunOneJobAsync();

        var job = await _h.JobAsync(jobId);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal("HTTP 429 Too Many Requests", job.LastError);
        Assert.True(job.RunAt >= DateTime.UtcNow.AddMinutes(59), $"retry at {job.RunAt:O}");
        Assert.Equal("HTTP 429 Too Many Requests", (await _h.FeedAsync(feedId)).LastError);
    }

    [Fact]
    public async Task RetryAfter_OnTheLastAttempt_PushesTheFeedsNextRefreshPastIt()
    {
        _h.Origin.Map("/down.xml", (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "86000";
            return Task.CompletedTask;
        });
        var (feedId, _) = await _h.AddFeedAsync("/down.xml");
        // Replace the job by one that has a single attempt, so this failure is final.
        await using (var db = _h.Db.Open())
        {
            db.Jobs.RemoveRange(db.Jobs);
            await db.SaveChangesAsync();
        }
        var last = await _h.Services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feedId, JobPriority.User) with { MaxAttempts = 1 });

        await _h.RunOneJobAsync();

        Assert.Equal(JobState.Failed, (await _h.JobAsync(last.Id)).State);
        var feed = await _h.FeedAsync(feedId);
        Assert.Equal(1, feed.ConsecutiveFailures);
        // The backoff alone (1 h refresh interval, doubled) would be 2 h; the server asked for almost a day.
        Assert.True(feed.NextRefreshAt >= DateTime.UtcNow.AddSeconds(85000), $"next refresh {feed.NextRefreshAt:O}");
    }

    [Fact]
    public async Task TooManyRedirects_FailsAtOnce()
    {
        Redirect("/loop.xml", "/loop.xml", 301);
        var (feedId, jobId) = await _h.AddFeedAsync("/loop.xml");

        await _h.RunOneJobAsync();

        Assert.Equal(JobState.Failed, (await _h.JobAsync(jobId)).State);
        Assert.Equal("Too many redirects", (await _h.FeedAsync(feedId)).LastError);
    }
}
