using System.Xml;
using System.Xml.Linq;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;

namespace App.Worker.Feeds.Parse.Formats;

/// <summary>
/// RSS 0.91, 0.92, 2.0 (root &lt;rss&gt;) and RSS 0.90 / 1.0 (root rdf:RDF, items beside the
/// channel). Titles are decoded as Miniflux does (entities decoded, no tag stripping, so
/// "Second &amp;lt;post&amp;gt;" reads "Second &lt;post&gt;"); description is the summary,
/// content:encoded the content.
/// </summary>
public static class RssParser
{
    /// <summary>
    /// Reads the document from its root element, handing each item to <paramref name="onItem"/> as
    /// it is read, with the feed as known at the first item; returns the whole feed without items.
    /// </summary>
    public static ParsedFeed Parse(XmlReader reader, Uri documentUrl, Action<ParsedItem, ParsedFeed> onItem, Func<XmlException, bool>? cutOff = null)
    {
        var rdf = reader.LocalName == "RDF";
        ParsedFeed? head = null;
        var root = StreamedXml.Read(reader, element =>
        {
            var root = element.Ancestors().Last();
            var ns = ItemNamespace(root, rdf);
            if (element.Name.LocalName == "item" && (element.Name.Namespace == ns || element.Name.Namespace == XNamespace.None)
                && element.Parent == (rdf ? root : FeedXml.Child(root, "channel", ns)))
            {
                head ??= Head(root, rdf, documentUrl);
                onItem(Item(element, ns, documentUrl), head);
            }
        }, cutOff);
        return Head(root, rdf, documentUrl);
    }

    // RSS 2.0 has no namespace, but some feeds put it in one as their default (Userland's
    // "http://backend.userland.com/rss2"): the root's own is the one its elements are in.
    private static XNamespace ItemNamespace(XElement root, bool rdf) =>
        rdf ? (root.Element(FeedXml.Rss10 + "channel") is not null ? FeedXml.Rss10 : FeedXml.Rss090) : root.Name.Namespace;

    private static ParsedFeed Head(XElement root, bool rdf, Uri documentUrl)
    {
        var ns = ItemNamespace(root, rdf);
        var channel = FeedXml.Child(root, "channel", ns)
            ?? throw new FeedException("Not a feed: the RSS document has no channel", retryable: false);
        var channelBase = FeedXml.BaseOf(channel, documentUrl);
        var image = FeedXml.Child(rdf ? root : channel, "image", ns);
        return new ParsedFeed(
            FeedText.DecodedText(FeedXml.Value(FeedXml.Child(channel, "title", ns)) ?? FeedXml.Value(channel.Element(FeedXml.Dc + "title"))),
            FeedText.Absolute(FeedXml.Value(FeedXml.Child(channel, "link", ns)), channelBase),
            image is null ? null : FeedText.Absolute(FeedXml.Value(FeedXml.Child(image, "url", ns)), channelBase),
            []);
    }

    private static ParsedItem Item(XElement item, XNamespace ns, Uri documentUrl)
    {
        var baseUri = FeedXml.BaseOf(item, documentUrl);
        var guidElement = FeedXml.Child(item, "guid", ns);
        var guid = FeedXml.Value(guidElement) ?? FeedText.Trim(item.Attribute(FeedXml.Rdf + "about")?.Value);
        var link = FeedText.Absolute(FeedXml.Value(FeedXml.Child(item, "link", ns)), baseUri)
            ?? FeedText.Absolute(FeedXml.AlternateLink(item.Elements(FeedXml.Atom + "link"))?.Attribute("href")?.Value, baseUri);
        // A guid is a permalink unless it says otherwise; use it when there is no link.
        if (link is null && guidElement?.Attribute("isPermaLink")?.Value != "false" && guid is not null
            && guid.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            link = FeedText.Absolute(guid, baseUri);
        }
        // Fallbacks as the widely used parsers of other languages read them: Dublin Core, Atom
        // elements inside RSS, and the podcast and media modules.
        var published = FeedDates.Parse(FeedXml.Value(FeedXml.Child(item, "pubDate", ns)))
            ?? FeedDates.Parse(FeedXml.FirstValue(item, FeedXml.Dc + "date", FeedXml.Atom + "published", FeedXml.DcTerms + "issued", FeedXml.DcTerms + "created"));
        var updated = FeedDates.Parse(FeedXml.FirstValue(item, FeedXml.Atom + "updated", FeedXml.DcTerms + "modified"));
        var title = FeedXml.Value(FeedXml.Child(item, "title", ns))
            ?? FeedXml.FirstValue(item, FeedXml.Dc + "title", FeedXml.Media + "title")
            ?? FeedXml.Value(item.Descendants(FeedXml.Media + "title").FirstOrDefault());
        var author = FeedXml.Value(FeedXml.Child(item, "author", ns))
            ?? FeedXml.FirstValue(item, FeedXml.Dc + "creator", FeedXml.Dc + "author", FeedXml.Itunes + "author")
            ?? FeedXml.Value(item.Element(FeedXml.Atom + "author")?.Element(FeedXml.Atom + "name"));
        var enclosure = FeedXml.Child(item, "enclosure", ns) is { } e && FeedText.Absolute(e.Attribute("url")?.Value, baseUri) is { } url
            ? new ParsedEnclosure(url, FeedText.Trim(e.Attribute("type")?.Value), FeedXml.Length(e.Attribute("length")?.Value))
            : null;
        return new ParsedItem(guid, FeedText.DecodedText(title), link)
        {
            Author = FeedText.Collapse(author),
            PublishedAt = published ?? updated,
            UpdatedAt = updated,
            Summary = FeedXml.Value(FeedXml.Child(item, "description", ns)),
            Content = FeedXml.Value(item.Element(FeedXml.Content + "encoded")),
            BaseUrl = baseUri == documentUrl ? null : baseUri.ToString(),
            Enclosure = enclosure,
        };
    }
}
