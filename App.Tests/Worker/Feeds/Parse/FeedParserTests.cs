using System.Text;
using App.Tests.Support;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;

namespace App.Tests.Worker.Feeds.Parse;

public sealed class FeedParserTests
{
    private static readonly Uri FeedUrl = new("https://feeds.example.net/path/feed.xml");
    private readonly FeedParser _parser = new();

    private ParsedFeed Parse(string body, string? mediaType = "application/xml") =>
        _parser.Parse(new FetchedDocument(Encoding.UTF8.GetBytes(body), mediaType, "utf-8", FeedUrl));

    [Fact]
    public void Rss_GivesTitleSiteAndItemsWithDates()
    {
        var feed = Parse(FeedSamples.Rss(3));

        Assert.Equal("Test Feed", feed.Title);
        Assert.Equal("https://example.com/", feed.SiteUrl);
        Assert.Equal(["Item 3", "Item 2", "Item 1"], feed.Items.Select(i => i.Title));
        var newest = feed.Items[0];
        Assert.Equal("https://example.com/items/3", newest.Link);
        Assert.Equal("https://example.com/items/3", newest.Guid);
        Assert.Equal(new DateTime(2026, 1, 3, 12, 0, 0, DateTimeKind.Utc), newest.PublishedAt);
        Assert.Equal(DateTimeKind.Utc, newest.PublishedAt!.Value.Kind);
        Assert.Contains("Body of item 3", newest.Summary);
    }

    [Theory]
    [InlineData("rss")]
    [InlineData("json")]
    public void Parse_StopsAtTheNextItem_OnceCancelled(string format)
    {
        // A refresh past its timeout must stop parsing, not run on to the end of a large feed.
        var body = format == "rss"
            ? FeedSamples.Rss(10)
            : $$"""{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{{string.Join(",", Enumerable.Range(1, 10).Select(i => $$"""{"id":"{{i}}","content_text":"x"}"""))}}]}""";
        using var cancel = new CancellationTokenSource();
        var seen = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => _parser.Parse(
            new FetchedDocument(Encoding.UTF8.GetBytes(body), null, "utf-8", FeedUrl),
            (_, _) =>
            {
                seen++;
                cancel.Cancel();
            },
            cancel.Token));
        Assert.Equal(1, seen);
    }

    [Fact]
    public void Atom_ResolvesRelativeLinksAgainstTheFeedUrl()
    {
        var feed = Parse(FeedSamples.Atom);

        Assert.Equal("Atom & Tests", feed.Title);
        Assert.Equal(2, feed.Items.Count);
        Assert.Equal("https://feeds.example.net/entries/2", feed.Items[0].Link);
        Assert.Equal("urn:entry:2", feed.Items[0].Guid);
        Assert.Equal("Ada", feed.Items[0].Author);
        Assert.Equal(new DateTime(2026, 2, 2, 10, 0, 0, DateTimeKind.Utc), feed.Items[0].PublishedAt);
    }

    [Fact]
    public void Items_AreHandedOverAsTheyAreRead_WithTheFeedAsKnownSoFar()
    {
        var document = new FetchedDocument(Encoding.UTF8.GetBytes(FeedSamples.Rss(3)), "application/xml", "utf-8", FeedUrl);
        var seen = new List<(string? Title, string? SiteUrl)>();

        var feed = _parser.Parse(document, (item, soFar) => seen.Add((item.Title, soFar.SiteUrl)));

        Assert.Equal([("Item 3", "https://example.com/"), ("Item 2", "https://example.com/"), ("Item 1", "https://example.com/")], seen);
        Assert.Equal("Test Feed", feed.Title);
        Assert.Empty(feed.Items);
    }

    [Fact]
    public void ADocumentThatBreaksAfterItsFirstItems_StillFailsAsInvalidXml()
    {
        var broken = FeedSamples.Rss(2).Replace("</channel>", "<item><title>x</titel></item></channel>");
        var e = Assert.Throws<FeedException>(() => Parse(broken));
        Assert.StartsWith("Invalid XML at line ", e.Message);
    }

    [Fact]
    public void Document_WithBomAndLeadingWhitespace_Parses()
    {
        var feed = Parse("\uFEFF\n  " + FeedSamples.Rss(1));
        Assert.Single(feed.Items);
    }

    [Fact]
    public void Dtd_IsRefused_SoEntityBombsNeverExpand()
    {
        const string bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <rss version="2.0"><channel><title>&lol3;</title></channel></rss>
            """;

        var e = Assert.Throws<FeedException>(() => Parse(bomb));
        Assert.Contains("DTD", e.Message);
        Assert.False(e.Retryable);
    }

    [Fact]
    public void ExternalEntity_IsRefused()
    {
        const string xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <rss version="2.0"><channel><title>&xxe;</title></channel></rss>
            """;

        var e = Assert.Throws<FeedException>(() => Parse(xxe));
        Assert.DoesNotContain("root:", e.Message);
    }

    [Fact]
    public void BrokenXml_ReportsLineAndColumn()
    {
        var e = Assert.Throws<FeedException>(() => Parse("<?xml version=\"1.0\"?>\n<rss>\n<channel><title>x</channel></rss>"));
        Assert.StartsWith("Invalid XML at line 3, column", e.Message);
        Assert.False(e.Retryable);
    }

    [Fact]
    public void HtmlPage_IsNotAFeed()
    {
        var e = Assert.Throws<FeedException>(() => Parse("<!DOCTYPE html><html><head><title>Home</title></head></html>", "text/html"));
        Assert.StartsWith("No feed found at this address", e.Message);
    }

    [Fact]
    public void XmlThatIsNoFeed_IsRefused()
    {
        var e = Assert.Throws<FeedException>(() => Parse("<?xml version=\"1.0\"?><note><to>Tove</to></note>"));
        Assert.False(e.Retryable);
    }
}
