using App.Worker.Feeds;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Store;

namespace App.Tests.Worker.Feeds.Parse.Corpus;

/// <summary>What the expectations table does not cover: every item's fields in the fixtures that test them.</summary>
public sealed class FeedFormatDetailTests
{
    private static readonly DateTime Jan7 = new(2026, 1, 7, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void PodcastEnclosures_AreKept_WithRelativeUrlsResolved()
    {
        var feed = FeedCorpus.Parse("rss20-podcast.xml");

        Assert.Equal(new ParsedEnclosure("https://cdn.example.com/ep2.mp3", "audio/mpeg", 34567890), feed.Items[0].Enclosure);
        Assert.Equal(new ParsedEnclosure("https://feeds.example.net/media/ep1.m4a", "audio/x-m4a", null), feed.Items[1].Enclosure);
        Assert.Equal(new ParsedEnclosure("https://cdn.example.org/show.mp3", "audio/mpeg", 5000), FeedCorpus.Parse("atom10-enclosure.xml").Items[0].Enclosure);
        Assert.Equal(new ParsedEnclosure("https://cdn.example.org/ep1.mp3", "audio/mpeg", 98765), FeedCorpus.Parse("jsonfeed11.json").Items[0].Enclosure);
        Assert.Equal(new ParsedEnclosure("https://cdn.example.com/ep1.mp3", "audio/mpeg", 12345), FeedCorpus.Parse("rss092.xml").Items[0].Enclosure);
    }

    [Fact]
    public void XmlBase_AppliesFromTheRootDown()
    {
        var rss = FeedCorpus.Parse("rss20-xml-base.xml");
        Assert.Equal("https://base.example.org/blog/home", rss.SiteUrl);
        Assert.Equal("https://base.example.org/blog/other.html", rss.Items[1].Link);

        var atom = FeedCorpus.Parse("atom10-xml-base.xml");
        Assert.Equal("https://content.example.org/dir/", atom.Items[0].BaseUrl);
    }

    [Theory]
    [InlineData("atom10-title-types.xml", new[] { "Second <post>", "Bold & html", "Xhtml title" })]
    [InlineData("rss20-title-escaped-html.xml", new[] { "Second <post>", "Fish & Chips" })]
    [InlineData("atom10-entities.xml", new[] { "Café & bar" })]
    public void Titles_AreText_ReadAsTheirFormatSays(string file, string[] titles) =>
        Assert.Equal(titles, FeedCorpus.Parse(file).Items.Select(i => i.Title));

    [Fact]
    public void AtomContent_FollowsItsType()
    {
        var items = FeedCorpus.Parse("atom10-content-types.xml").Items;
        Assert.Equal("<p>XHTML <b>content</b></p>", items[0].Content?.Replace(" xmlns=\"http://www.w3.org/1999/xhtml\"", ""));
        Assert.Equal("Plain &lt;text&gt; content", items[1].Content);
        Assert.Equal("Summary 1", items[1].Summary);
    }

    [Fact]
    public void Atom03_EscapedAndBase64Content_AndIssuedModifiedDates()
    {
        var feed = FeedCorpus.Parse("atom03.xml");

        Assert.Equal("Atom 0.3 & friends", feed.Title);
        Assert.Equal("<p>Escaped <b>HTML</b></p>", feed.Items[0].Content);
        Assert.Equal(Jan7, feed.Items[0].PublishedAt);
        Assert.Equal(Jan7.AddHours(1), feed.Items[0].UpdatedAt);
        Assert.Equal("<p>Base 64</p>", feed.Items[1].Content);
        Assert.Equal(Jan7.AddDays(-1), feed.Items[1].PublishedAt);
    }

    [Fact]
    public void RfcAndIsoDateVariants_AllReadAsTheSameInstant()
    {
        var items = FeedCorpus.Parse("rss20-date-variants.xml").Items;
        Assert.Equal(7, items.Count);
        Assert.All(items, i => Assert.Equal(Jan7, i.PublishedAt));
    }

    [Fact]
    public void UnreadableDates_LeaveTheItem_Undated()
    {
        var items = FeedCorpus.Parse("rss20-bad-date.xml").Items;
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Null(i.PublishedAt));
    }

    [Fact]
    public void AtomEntryWithOnlyUpdated_IsDatedByIt()
    {
        var entry = Assert.Single(FeedCorpus.Parse("atom10-updated-only.xml").Items);
        Assert.Equal(Jan7, entry.PublishedAt);
        Assert.Equal(Jan7, entry.UpdatedAt);
    }

    [Fact]
    public void ItemsWithoutGuid_AreKeyedByLink_ElseByAHash()
    {
        Assert.Equal("link:https://example.com/posts/2", ItemKeys.Of(FeedCorpus.Parse("rss20-no-guid.xml").Items[0]));
        Assert.Equal("link:https://atom.example.org/entries/2", ItemKeys.Of(FeedCorpus.Parse("atom10-no-id.xml").Items[0]));
        var hashed = FeedCorpus.Parse("rss20-no-guid-no-link.xml").Items.Select(ItemKeys.Of).ToList();
        Assert.All(hashed, k => Assert.StartsWith("hash:", k));
        Assert.NotEqual(hashed[0], hashed[1]);
    }

    [Fact]
    public void FeedFields_TitleSiteAndIcon()
    {
        var netscape = FeedCorpus.Parse("rss091-netscape-doctype.xml");
        Assert.Equal("Netscape éra", netscape.Title);
        Assert.Equal("http://example.com/logo.gif", netscape.IconUrl);
        Assert.Equal("Now \u00a0open", netscape.Items[0].Summary);
        Assert.Equal("https://example.com/icon.png", FeedCorpus.Parse("rss20-channel-image.xml").IconUrl);
        var json = FeedCorpus.Parse("jsonfeed10.json");
        Assert.Equal(("JSON Feed 1.0", "https://json.example.org/", "https://json.example.org/icon.png"), (json.Title, json.SiteUrl, json.IconUrl));
        Assert.Equal("http://www.mozilla.org/images/moz.gif", FeedCorpus.Parse("rss090-rdf.xml").IconUrl);
    }

    [Fact]
    public void Authors_ComeFromEachFormatsField()
    {
        Assert.Equal("Grace Hopper", FeedCorpus.Parse("rss20-dublin-core.xml").Items[0].Author);
        Assert.Equal("Tim", FeedCorpus.Parse("rss10-rdf.xml").Items[0].Author);
        Assert.Equal("Feed Author", FeedCorpus.Parse("atom10.xml").Items[0].Author);
        Assert.Equal("Brent", FeedCorpus.Parse("jsonfeed10.json").Items[0].Author);
        Assert.Equal("Host", FeedCorpus.Parse("jsonfeed11.json").Items[0].Author);
        Assert.Equal("Ctrl Person", FeedCorpus.Parse("rss20-control-chars.xml").Items[0].Author);
    }

    [Fact]
    public void RssSummaryAndContent_AreKeptApart()
    {
        var item = FeedCorpus.Parse("rss20-content-encoded.xml").Items[0];
        Assert.Equal("Body 1", item.Summary);
        Assert.Equal("<p>Full <b>content</b></p>", item.Content);
    }

    [Fact]
    public void JsonFeed_NumericIdsAndTextContent()
    {
        var items = FeedCorpus.Parse("jsonfeed-minimal.json").Items;
        Assert.Equal("123", items[0].Guid);
        Assert.Equal("No title, no url", items[0].Content);
        Assert.Equal("https://else.example.org/x", items[1].Link);
        Assert.Null(items[1].PublishedAt);
    }

    [Fact]
    public void TheHttpCharset_DecidesWhenTheDocumentDeclaresNone()
    {
        Assert.Equal("Señor HTTP", new FeedParser().Parse(FeedCorpus.Document("rss20-http-charset.xml", "iso-8859-1")).Items[0].Title);
        // Declared in the prolog: the prolog wins over a generic HTTP charset.
        Assert.Equal("Café crème", new FeedParser().Parse(FeedCorpus.Document("rss20-iso-8859-1.xml", "utf-8")).Items[0].Title);
    }

    [Fact]
    public void UndeclaredPrefixes_ReadAsTheirWellKnownNamespaces()
    {
        var feed = FeedCorpus.Parse("rss20-undeclared-prefixes.xml");

        Assert.Equal("Grace", feed.Items[0].Author);
        Assert.Equal("<p>Full text 2</p>", feed.Items[0].Content);
        Assert.Equal("Summary 2", feed.Items[0].Summary);
    }

    [Fact]
    public void PreAtomEchoFeeds_ReadAsAtom03()
    {
        var entry = Assert.Single(FeedCorpus.Parse("atom-pre10-echo.xml").Items);

        Assert.Equal("<p>Echo content</p>", entry.Content);
        Assert.Equal("Sam", entry.Author);
        Assert.Equal(Jan7.AddHours(1), entry.UpdatedAt);
    }

    [Fact]
    public void TitlesDatesAndAuthors_FallBackToDublinCoreMediaAndItunes()
    {
        var feed = FeedCorpus.Parse("rss20-fallbacks.xml");

        Assert.Equal("Titled by Dublin Core", feed.Title);
        Assert.Equal(["Dublin Core title", "Media title", "Nested media title"], feed.Items.Select(i => i.Title));
        Assert.Equal(["Ada", "Grace", "Linus"], feed.Items.Select(i => i.Author));
        Assert.Equal([Jan7, Jan7.AddDays(-1), Jan7.AddDays(-2)], feed.Items.Select(i => i.PublishedAt));
    }

    [Fact]
    public void AtomElementsInRssItems_GiveLinkDatesAndAuthor()
    {
        var items = FeedCorpus.Parse("rss20-atom-in-items.xml").Items;

        Assert.Equal(("https://example.com/posts/2", Jan7, Jan7.AddDays(1), "Ada"), (items[0].Link, items[0].PublishedAt, items[0].UpdatedAt, items[0].Author));
        Assert.Equal(("https://example.com/posts/1", Jan7.AddDays(-1)), (items[1].Link, items[1].PublishedAt));
    }

    [Fact]
    public void ItemsWithoutTitleLinkOrGuid_ThatDifferInOtherFields_KeepApartKeys()
    {
        var keys = FeedCorpus.Parse("rss20-no-identity.xml").Items.Select(ItemKeys.Of).ToList();

        Assert.Equal(3, keys.Distinct().Count());
        Assert.All(keys, k => Assert.StartsWith("hash:", k));
    }

    [Fact]
    public void ADocumentCutOff_KeepsTheItemsThatWereComplete()
    {
        var feed = FeedCorpus.Parse("rss20-truncated.xml");

        Assert.Equal("Cut off", feed.Title);
        Assert.Equal(["Post 3", "Post 2"], feed.Items.Select(i => i.Title));
    }

    [Fact]
    public void PlainTextTitles_DropScriptAndStyleWithTheirContent()
    {
        var rss = FeedCorpus.Parse("rss20-title-script.xml");
        Assert.Equal("Scripts in titles", rss.Title);
        Assert.Equal(["Hello", "Styled <b>but</b> plain", "Unclosed"], rss.Items.Select(i => i.Title));

        var json = FeedCorpus.Parse("jsonfeed-title-script.json");
        Assert.Equal("JSON titles", json.Title);
        Assert.Equal("Plain title", json.Items[0].Title);
    }
}
