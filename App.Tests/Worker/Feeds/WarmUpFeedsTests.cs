using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;

namespace App.Tests.Worker.Feeds;

/// <summary>
/// The feeds a worker warms up on are real feeds of each format, whose items go through the
/// sanitizer's every path: a sample that stopped parsing would warm up nothing, silently (the
/// warm-up's failure is only a warning).
/// </summary>
public sealed class WarmUpFeedsTests
{
    public static TheoryData<string, string, int> Samples => new()
    {
        { nameof(WarmUpFeeds.Rss), "application/rss+xml", 2 },
        { nameof(WarmUpFeeds.Atom), "application/atom+xml", 2 },
        { nameof(WarmUpFeeds.Json), "application/feed+json", 1 },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void EachSample_ParsesIntoItems_WhoseHtmlIsSanitizedAndResolved(string sample, string mediaType, int count)
    {
        var body = sample switch
        {
            nameof(WarmUpFeeds.Rss) => WarmUpFeeds.Rss,
            nameof(WarmUpFeeds.Atom) => WarmUpFeeds.Atom,
            _ => WarmUpFeeds.Json,
        };
        var sanitizer = new ItemSanitizer();

        var parsed = new FeedParser().Parse(new FetchedDocument(body, mediaType, "utf-8", WarmUpFeeds.Url));
        var staged = parsed.Items.Select(i => sanitizer.Stage(i, WarmUpFeeds.Url.ToString())).ToList();

        Assert.Equal("Warm-up", parsed.Title);
        Assert.Equal(count, staged.Count);
        var first = staged.Single(i => i.Link == "https://warm-up.invalid/1");
        Assert.Contains("href=\"https://warm-up.invalid/", first.ContentHtml);
        Assert.DoesNotContain("<script", first.ContentHtml);
        Assert.False(string.IsNullOrEmpty(first.ContentText));
    }
}
