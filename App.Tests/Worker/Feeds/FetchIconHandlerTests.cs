using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Feeds;

/// <summary>Icons fetched after a refresh from a real local origin, stored only when they are images.</summary>
public sealed class FetchIconHandlerTests : IAsyncLifetime
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    private FetchHarness _h = null!;

    public async Task InitializeAsync() => _h = await FetchHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private void ServeFeed(string path, string channelExtra = "") => _h.Origin.Serve(path, $"""
        <?xml version="1.0"?>
        <rss version="2.0"><channel><title>With icon</title><link>{_h.Origin.Url("/")}</link>{channelExtra}
        <item><title>One</title><link>{_h.Origin.Url("/1")}</link><guid>1</guid></item></channel></rss>
        """);

    private void ServeBytes(string path, byte[] bytes, string contentType) => _h.Origin.Map(path, async (context, _) =>
    {
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(bytes);
    });

    private async Task<FeedIcon?> IconAsync(long feedId)
    {
        await using var db = _h.Db.Open();
        return await db.FeedIcons.AsNoTracking().SingleOrDefaultAsync(i => i.FeedId == feedId);
    }

    [Fact]
    public async Task ARefresh_QueuesAnIconFetch_WhichStoresTheSitesFavicon()
    {
        ServeFeed("/feed.xml");
        ServeBytes("/favicon.ico", Png, "image/png");
        var (feedId, _) = await _h.AddFeedAsync("/feed.xml");

        await _h.RunOneJobAsync();
        await _h.RunOneJobAsync(FeedJobs.FetchIcon);

        var icon = await IconAsync(feedId);
        Assert.NotNull(icon);
        Assert.Equal("image/png", icon.ContentType);
        Assert.Equal(Png, icon.Data);
        Assert.Equal(1, _h.Origin.Hits("/favicon.ico"));
    }

    [Fact]
    public async Task ARefreshWhileTheIconFetchWaits_QueuesNoSecondOne()
    {
        ServeFeed("/feed.xml");
        ServeBytes("/favicon.ico", Png, "image/png");
        var (feedId, _) = await _h.AddFeedAsync("/feed.xml");

        await _h.RunOneJobAsync();
        await _h.RefreshAgainAsync(feedId);
        await _h.RunOneJobAsync();

        await using var db = _h.Db.Open();
        var icons = await db.Jobs.Where(j => j.Type == FeedJobs.FetchIcon && j.FeedId == feedId).ToListAsync();
        Assert.Single(icons);
        Assert.Equal(JobState.Pending, icons[0].State);
        var fetches = await db.Jobs.Where(j => j.Type == FeedJobs.FetchFeed && j.FeedId == feedId).Select(j => j.State).ToListAsync();
        Assert.Equal([JobState.Succeeded, JobState.Succeeded], fetches);
    }

    [Fact]
    public async Task TheIconTheFeedDeclares_IsPreferred()
    {
        ServeFeed("/feed.xml", $"<image><url>{_h.Origin.Url("/logo.gif")}</url><title>x</title><link>{_h.Origin.Url("/")}</link></image>");
        ServeBytes("/logo.gif", [.. "GIF89a"u8, 1, 0, 1, 0], "image/gif");
        var (feedId, _) = await _h.AddFeedAsync("/feed.xml");

        await _h.RunOneJobAsync();
        await _h.RunOneJobAsync(FeedJobs.FetchIcon);

        Assert.Equal("image/gif", (await IconAsync(feedId))!.ContentType);
        Assert.Equal(0, _h.Origin.Hits("/favicon.ico"));
    }

    [Fact]
    public async Task TheIconsTheSitesPageLinksTo_AreTriedBeforeTheFavicon_SvgLeftOut()
    {
        ServeFeed("/feed.xml");
        _h.Origin.Serve("/", """
            <!doctype html><html><head><title>Site</title>
            <link rel="icon" type="image/svg+xml" href="/mark.svg">
            <link rel="alternate" type="application/rss+xml" href="/feed.xml">
            <link rel="shortcut icon" href="static/mark.png">
            </head><body>Hello</body></html>
            """, "text/html");
        ServeBytes("/static/mark.png", Png, "image/png");
        var (feedId, _) = await _h.AddFeedAsync("/feed.xml");

        await _h.RunOneJobAsync();
        await _h.RunOneJobAsync(FeedJobs.FetchIcon);

        Assert.Equal(Png, (await IconAsync(feedId))!.Data);
        Assert.Equal(1, _h.Origin.Hits("/static/mark.png"));
        Assert.Equal(0, _h.Origin.Hits("/mark.svg"));
        Assert.Equal(0, _h.Origin.Hits("/favicon.ico"));
    }

    [Fact]
    public async Task SomethingThatIsNotAnImage_IsRecordedAsNoIcon_AndNotAskedForAgainOnTheNextRefresh()
    {
        ServeFeed("/feed.xml");
        // An HTML error page, and an SVG (which can carry script) claiming to be an image.
        ServeBytes("/favicon.ico", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray(), "image/svg+xml");
        var (feedId, _) = await _h.AddFeedAsync("/feed.xml");

        await _h.RunOneJobAsync();
        await _h.RunOneJobAsync(FeedJobs.FetchIcon);
        var icon = await IconAsync(feedId);
        await _h.RefreshAgainAsync(feedId);
        await _h.RunOneJobAsync();

        Assert.NotNull(icon);
        Assert.Empty(icon.Data);
        await using var db = _h.Db.Open();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Type == FeedJobs.FetchIcon));
    }

    [Fact]
    public async Task ACandidateThatBreaksOffMidBody_MovesOnToTheNextPlace()
    {
        ServeFeed("/feed.xml", $"<image><url>{_h.Origin.Url("/logo.png")}</url><title>x</title><link>{_h.Origin.Url("/")}</link></image>");
        _h.Origin.Map("/logo.png", async (context, _) =>
        {
            // Damaged compression: the body cannot be read.
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 1, 2, 3 });
        });
        ServeBytes("/favicon.ico", Png, "image/png");
        var (feedId, _) = await _h.AddFeedAsync("/feed.xml");

        await _h.RunOneJobAsync();
        await _h.RunOneJobAsync(FeedJobs.FetchIcon);

        Assert.Equal(Png, (await IconAsync(feedId))!.Data);
    }

    [Fact]
    public async Task AnIconJobThatTimesOut_RecordsNoIcon_SoThatRefreshesDoNotQueueAnotherOne()
    {
        var clock = TempDatabase.FakeClock();
        await using var h = await FetchHarness.StartAsync(clock);
        h.Origin.Serve("/feed.xml", $"""
            <?xml version="1.0"?>
            <rss version="2.0"><channel><title>t</title><link>{h.Origin.Url("/")}</link>
            <item><title>One</title><link>{h.Origin.Url("/1")}</link><guid>1</guid></item></channel></rss>
            """);
        var requested = new TaskCompletionSource();
        h.Origin.Map("/", async (context, _) =>
        {
            requested.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var (feedId, _) = await h.AddFeedAsync("/feed.xml");
        await h.RunOneJobAsync();

        await h.RunDueJobsAsync();
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(h.Handler(FeedJobs.FetchIcon).Timeout + TimeSpan.FromSeconds(1));

        var icon = await Eventually.GetAsync(async () =>
        {
            await using var db = h.Db.Open();
            return await db.FeedIcons.AsNoTracking().SingleOrDefaultAsync(i => i.FeedId == feedId);
        }, i => i is not null, TimeSpan.FromSeconds(30), "the icon job to record its failure");
        Assert.Equal("", icon!.ContentType);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, icon.FetchedAt);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D }, "image/png")]
    [InlineData(new byte[] { 0x00, 0x00, 0x01, 0x00, 0x01 }, "image/x-icon")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "image/jpeg")]
    [InlineData(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C }, null)]
    [InlineData(new byte[] { }, null)]
    public void ImageType_IsReadFromTheBytes(byte[] data, string? expected) =>
        Assert.Equal(expected, FetchIconHandler.ImageType(data));
}
