using App.Data.Accounts;
using App.Data.Writes;
using App.Tests.Support;
using App.Tests.Worker.Feeds.Parse.Corpus;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Feeds;

/// <summary>What a refresh stores: separate fields, enclosures, fallbacks, and nothing that could run in a browser.</summary>
public sealed class FetchFeedHandlerStorageTests : IAsyncLifetime
{
    private FetchHarness _h = null!;

    public async Task InitializeAsync() => _h = await FetchHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private void ServeFixture(string path, string file) => _h.Origin.Map(path, async (context, _) =>
    {
        context.Response.ContentType = "application/xml";
        await context.Response.Body.WriteAsync(FeedCorpus.Bytes(file));
    });

    [Fact]
    public async Task AFeedDeletedWhileItsFetchRuns_GetsNothingWritten_NotItemsNorFeedNorIconJob()
    {
        var bodyRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sendBody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Origin.Map("/slow.xml", async (context, _) =>
        {
            bodyRequested.TrySetResult();
            await sendBody.Task;
            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync(FeedSamples.Rss(5));
        });
        var (feedId, _) = await _h.AddFeedAsync("/slow.xml");
        var user = await _h.Db.AddUserAsync("alice");
        await _h.Db.SubscribeAsync(user, feedId);

        var run = _h.RunOneJobAsync();
        await bodyRequested.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The user's unsubscribe, as the web does it: the last subscriber's leaving deletes the feed.
        var lane = _h.Services.GetRequiredService<WriteLane>();
        Assert.True(await lane.InWriteTransactionAsync(c => SubscriptionWrites.Unsubscribe(c, user, feedId)));
        sendBody.SetResult();
        await run;

        await using var db = _h.Db.Open();
        Assert.False(await db.Feeds.AnyAsync(f => f.Id == feedId));
        Assert.False(await db.FeedItems.AnyAsync(i => i.FeedId == feedId));
        Assert.False(await db.UnreadItems.AnyAsync(u => u.FeedId == feedId));
        Assert.False(await db.Jobs.AnyAsync(), "the fetch job went with the feed, and no icon job was added");
        Assert.Equal(1, _h.Origin.Hits("/slow.xml"));
    }

    [Fact]
    public async Task APodcast_KeepsEnclosures_SummaryContentAndDatesApart()
    {
        ServeFixture("/pod.xml", "rss20-podcast.xml");
        ServeFixture("/json.json", "jsonfeed11.json");
        var (podId, _) = await _h.AddFeedAsync("/pod.xml");
        await _h.RunOneJobAsync();
        var (jsonId, _) = await _h.AddFeedAsync("/json.json");
        await _h.RunOneJobAsync();

        var episode = (await _h.ItemsAsync(podId))[0];
        Assert.Equal(("https://cdn.example.com/ep2.mp3", "audio/mpeg", 34567890L), (episode.EnclosureUrl, episode.EnclosureType, episode.EnclosureLength!.Value));
        var json = Assert.Single(await _h.ItemsAsync(jsonId));
        Assert.Equal("An episode", json.Summary);
        Assert.Equal("<p>Show notes</p>", json.ContentHtml);
        // The feed page's line of text: from the summary when there is one, as plain text.
        Assert.Equal("An episode", json.Excerpt);
        // What search indexes: the whole content as plain text.
        Assert.Equal("Show notes", json.ContentText);
        Assert.Equal(new DateTime(2026, 1, 7, 10, 0, 0), json.PublishedAt);
        Assert.Equal(new DateTime(2026, 1, 8, 10, 0, 0), json.UpdatedAt);
        Assert.Equal("https://cdn.example.org/ep1.mp3", json.EnclosureUrl);
    }

    [Fact]
    public async Task AnItemWithoutADate_IsStoredWithTheTimeItWasFirstSeen()
    {
        ServeFixture("/undated.xml", "rss20-no-date.xml");
        var (feedId, _) = await _h.AddFeedAsync("/undated.xml");
        var before = DateTime.UtcNow.AddSeconds(-1);

        await _h.RunOneJobAsync();

        var item = Assert.Single(await _h.ItemsAsync(feedId));
        Assert.InRange(item.PublishedAt!.Value, before, DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task HostileMarkup_IsNeverStored_AndTitlesStayText()
    {
        const string hostile = """
            <p onclick="steal()">Hi<script>window.pwned=1</script>
            <img src="x.png" onerror="window.pwned=1"><img src="data:image/png;base64,AAAA">
            <a href="javascript:alert(1)">js</a> <a href="/relative">rel</a>
            <iframe src="https://evil.test/"></iframe><object data="x.swf"></object><embed src="x.swf">
            <form action="https://evil.test/"><input name="password"></form>
            <style>body{display:none}</style><svg onload="alert(1)"></svg></p>
            """;
        _h.Origin.Serve("/xss.xml", $"""
            <?xml version="1.0"?>
            <rss version="2.0"><channel><title>&lt;script&gt;alert(1)&lt;/script&gt;Feed</title><link>https://site.example/</link>
            <item><title>&lt;img src=x onerror=alert(1)&gt;</title><link>https://site.example/posts/1</link><guid>x</guid>
            <description><![CDATA[{hostile}]]></description>
            <content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[{hostile}]]></content:encoded></item>
            </channel></rss>
            """);
        var (feedId, _) = await _h.AddFeedAsync("/xss.xml");

        await _h.RunOneJobAsync();

        var item = Assert.Single(await _h.ItemsAsync(feedId));
        foreach (var html in new[] { item.ContentHtml!, item.Summary! })
        {
            Assert.Contains("Hi", html);
            foreach (var forbidden in new[] { "<script", "onclick", "onerror", "onload", "javascript:", "data:", "<iframe", "<object", "<embed", "<form", "<input", "<style", "<svg" })
            {
                Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
            }
            Assert.Contains("href=\"https://site.example/relative\"", html);
            Assert.Contains("src=\"https://site.example/posts/x.png\"", html);
            Assert.Contains("rel=\"noopener noreferrer\"", html);
        }
        Assert.DoesNotContain("<", item.Excerpt);
        Assert.StartsWith("Hi", item.Excerpt);
        Assert.DoesNotContain("<", item.ContentText);
        Assert.DoesNotContain("alert", item.ContentText);
        Assert.StartsWith("Hi", item.ContentText);
        // Titles are text: shown escaped by the page, never interpreted.
        Assert.Equal("<img src=x onerror=alert(1)>", item.Title);
        Assert.Equal("Feed", (await _h.FeedAsync(feedId)).Title);
    }

    [Fact]
    public async Task AnItemWithoutLink_ResolvesRelativeUrlsAgainstTheSite_OnTheFirstFetchToo()
    {
        _h.Origin.Serve("/nolink.xml", """
            <?xml version="1.0"?>
            <rss version="2.0"><channel><title>No links</title><link>https://site.example/blog/</link>
            <item><title>Note</title><description><![CDATA[<a href="notes/1">one</a>]]></description></item>
            </channel></rss>
            """);
        var (feedId, _) = await _h.AddFeedAsync("/nolink.xml");

        await _h.RunOneJobAsync();

        var item = Assert.Single(await _h.ItemsAsync(feedId));
        Assert.Contains("href=\"https://site.example/blog/notes/1\"", item.ContentHtml);
    }

    [Fact]
    public async Task ItemsWithoutTitleLinkOrGuid_ThatDifferInTheirOtherFields_AreAllStored_AndARefreshAddsNothing()
    {
        ServeFixture("/backups.xml", "rss20-no-identity.xml");
        var (feedId, _) = await _h.AddFeedAsync("/backups.xml");

        await _h.RunOneJobAsync();
        await _h.RefreshAgainAsync(feedId);
        await _h.RunOneJobAsync();

        Assert.Equal(3, (await _h.ItemsAsync(feedId)).Count);
    }

    [Fact]
    public async Task AFiveThousandItemFeed_KeepsItsNewestThousand_AndARefreshAddsNothing()
    {
        // Feeds:MaxItemsPerFetch (1,000 by default) bounds what one completion writes.
        _h.Origin.Serve("/large.xml", FeedSamples.LargeRss(5000));
        var (feedId, _) = await _h.AddFeedAsync("/large.xml");

        await _h.RunOneJobAsync();
        await _h.RefreshAgainAsync(feedId);
        await _h.RunOneJobAsync();

        var items = await _h.ItemsAsync(feedId);
        Assert.Equal(1000, items.Count);
        Assert.Equal("Item 5000 & more", items[0].Title);
        Assert.Equal("Item 4001 & more", items[^1].Title);
    }

    [Fact]
    public async Task AnEndlessBody_FailsWithTheSizeCap_AtOnce()
    {
        _h.Origin.Map("/endless.xml", async (context, _) =>
        {
            context.Response.ContentType = "application/rss+xml";
            var chunk = new byte[256 * 1024];
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        var (feedId, jobId) = await _h.AddFeedAsync("/endless.xml");

        await _h.RunOneJobAsync();

        Assert.Equal(App.Data.Queue.JobState.Failed, (await _h.JobAsync(jobId)).State);
        Assert.Equal("Response larger than 10 MiB", (await _h.FeedAsync(feedId)).LastError);
    }

    [Fact]
    public async Task InvalidXml_FailsAtOnce_WithLineAndColumn()
    {
        _h.Origin.Serve("/broken.xml", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel><title>x</channel></rss>");
        var (feedId, jobId) = await _h.AddFeedAsync("/broken.xml");

        await _h.RunOneJobAsync();

        Assert.Equal(App.Data.Queue.JobState.Failed, (await _h.JobAsync(jobId)).State);
        Assert.StartsWith("Invalid XML at line 3, column ", (await _h.FeedAsync(feedId)).LastError);
    }
}
