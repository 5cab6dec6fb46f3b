using App.Worker.Feeds;
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
    public static TheoryData<string, int> Samples => new()
    {
        { "RSS", 2 },
        { "Atom", 2 },
        { "JSON Feed", 1 },
    };

    [Fact]
    public void TheSamplesAreTheseThree() =>
        Assert.Equal(Samples.Select(row => (string)row[0]), WarmUpFeeds.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Samples))]
    public void EachSample_ParsesIntoItems_WhoseHtmlIsSanitizedAndResolved(string name, int count)
    {
        var sample = WarmUpFeeds.All.Single(s => s.Name == name);
        var sanitizer = new ItemSanitizer();

        var parsed = new FeedParser().Parse(sample.Document());
        var staged = parsed.Items.Select(i => sanitizer.Stage(i, WarmUpFeeds.Url.ToString())).ToList();

        Assert.Equal("Warm-up", parsed.Title);
        Assert.Equal(count, staged.Count);
        var first = staged.Single(i => i.Link == "https://warm-up.invalid/1");
        Assert.Contains("href=\"https://warm-up.invalid/", first.ContentHtml);
        Assert.DoesNotContain("<script", first.ContentHtml);
        Assert.False(string.IsNullOrEmpty(first.ContentText));
    }
}
