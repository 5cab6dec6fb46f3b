using App.Tests.Support;

namespace App.Tests.Worker.Feeds;

/// <summary>A feed with more items than Feeds:MaxItemsPerFetch says so on the feed, and stops saying so once it fits.</summary>
public sealed class FetchNoteTests
{
    [Fact]
    public async Task AFeedOverTheBound_GetsANoteSayingHowManyWereStored_ClearedWhenItFits()
    {
        await using var h = await FetchHarness.StartAsync(settings: new Dictionary<string, string?> { ["Feeds:MaxItemsPerFetch"] = "5" });
        h.Origin.Serve("/feed.xml", FeedSamples.Rss(12));
        var (feedId, _) = await h.AddFeedAsync("/feed.xml");

        await h.RunOneJobAsync();

        var feed = await h.FeedAsync(feedId);
        Assert.Null(feed.LastError);
        Assert.Equal("The feed lists 12 items; only the newest 5 are stored (Feeds:MaxItemsPerFetch).", feed.FetchNote);

        h.Origin.Serve("/feed.xml", FeedSamples.Rss(3));
        await h.RefreshAgainAsync(feedId);
        await h.RunOneJobAsync();

        Assert.Null((await h.FeedAsync(feedId)).FetchNote);
    }
}
