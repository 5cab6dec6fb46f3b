using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;

namespace App.Tests.Worker.Feeds.Fetch;

/// <summary>Finding a page's feed and icon links without building its tree.</summary>
public sealed class FeedDiscoveryTests
{
    private static readonly Uri Page = new("https://blog.example/posts/");

    [Fact]
    public void FindFeeds_InA9MiBPageOfNestedTags_FindsTheLink_WithoutATreeBeingBuilt()
    {
        var html = """<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>"""
            + string.Concat(Enumerable.Repeat("<div><span>", 9 * 1024 * 1024 / 11));
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var feeds = FeedDiscovery.FindFeeds(html, Page);

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal([new Uri("https://blog.example/feed.xml")], feeds);
        Assert.True(allocated < 1024 * 1024, $"{allocated / 1048576.0:0.0} MB allocated");
    }

    [Theory]
    [InlineData("<!---->")]
    [InlineData("<!x>")]
    [InlineData("<?x?>")]
    [InlineData("<script></script>")]
    public void FindFeeds_InAPageOfAMillionPassedOverTags_DoesNotRecurse(string tag)
    {
        // One stack frame per comment in a row overflowed the stack: the process ends, no catch helps.
        var html = string.Concat(Enumerable.Repeat(tag, 1_000_000)) + """<link rel="alternate" type="application/rss+xml" href="/feed.xml">""";

        Assert.Equal([new Uri("https://blog.example/feed.xml")], FeedDiscovery.FindFeeds(html, Page));
    }

    [Fact]
    public void FindFeeds_ReadsAttributesAsBrowsersDo()
    {
        var html = """
            <!DOCTYPE html><html><head>
            <!-- <link rel="alternate" type="application/rss+xml" href="/commented.xml"> -->
            <script>document.write('<link rel="alternate" type="application/rss+xml" href="/scripted.xml">');</script>
            <base href="https://cdn.example/base/">
            <LINK REL="Alternate Feed" TYPE="application/atom+xml; charset=utf-8" HREF='atom.xml?a=1&amp;b=2' title="a > b">
            <link rel=alternate type=application/feed+json href=feed.json>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="text/html" href="/en/">
            </head><body><p>Hello</p></body></html>
            """;

        var feeds = FeedDiscovery.FindFeeds(html, Page);

        Assert.Equal(
            [new Uri("https://cdn.example/base/atom.xml?a=1&b=2"), new Uri("https://cdn.example/base/feed.json")],
            feeds);
    }

    [Fact]
    public void FindIcons_LeavesSvgOut_AndResolvesAgainstThePage()
    {
        var html = """
            <head><link rel="icon" type="image/svg+xml" href="/mark.svg"><link rel="apple-touch-icon" href="touch.png">
            <link rel="shortcut icon" href="/favicon.png"><link rel="icon" href="/other.svg"></head>
            """;

        var icons = FeedDiscovery.FindIcons(html, Page);

        Assert.Equal([new Uri("https://blog.example/posts/touch.png"), new Uri("https://blog.example/favicon.png")], icons);
    }
}
