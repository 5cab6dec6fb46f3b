using System.Xml;
using System.Xml.Linq;

namespace App.Worker.Feeds.Formats;

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
    public static ParsedFeed Parse(XmlReader reader, Uri documentUrl, Action<ParsedItem, ParsedFeed> onItem)
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
        });
        return Head(root, rdf, documentUrl);
    }

    private static XNamespace ItemNamespace(XElement root, bool rdf) =>
        rdf ? (root.Element(FeedXml.Rss10 + "channel") is not null ? FeedXml.Rss10 : FeedXml.Rss090) : XNamespace.None;

    private static ParsedFeed Head(XElement root, bool rdf, Uri documentUrl)
    {
        var ns = ItemNamespace(root, rdf);
        var channel = FeedXml.Child(root, "channel", ns)
            ?? throw new FeedException("Not a feed: the RSS document has no channel", retryable: false);
        var channelBase = FeedXml.BaseOf(channel, documentUrl);
        var image = FeedXml.Child(rdf ? root : channel, "image", ns);
        return new ParsedFeed(
            FeedText.DecodedText(FeedXml.Child(channel, "title", ns)?.Value),
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
            ?? FeedText.Absolute(item.Elements(FeedXml.Atom + "link").FirstOrDefault()?.Attribute("href")?.Value, baseUri);
        // A guid is a permalink unless it says otherwise; use it when there is no link.
        if (link is null && guidElement?.Attribute("isPermaLink")?.Value != "false" && guid is not null
            && guid.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            link = FeedText.Absolute(guid, baseUri);
        }
        var published = FeedDates.Parse(FeedXml.Value(FeedXml.Child(item, "pubDate", ns)))
            ?? FeedDates.Parse(FeedXml.Value(item.Element(FeedXml.Dc + "date")));
        var updated = FeedDates.Parse(FeedXml.Value(item.Element(FeedXml.Atom + "updated")));
        var enclosure = FeedXml.Child(item, "enclosure", ns) is { } e && FeedText.Absolute(e.Attribute("url")?.Value, baseUri) is { } url
            ? new ParsedEnclosure(url, FeedText.Trim(e.Attribute("type")?.Value), FeedXml.Length(e.Attribute("length")?.Value))
            : null;
        return new ParsedItem(guid, FeedText.DecodedText(FeedXml.Child(item, "title", ns)?.Value), link)
        {
            Author = FeedText.Collapse(FeedXml.Child(item, "author", ns)?.Value ?? item.Element(FeedXml.Dc + "creator")?.Value),
            PublishedAt = published ?? updated,
            UpdatedAt = updated,
            Summary = FeedXml.Value(FeedXml.Child(item, "description", ns)),
            Content = FeedXml.Value(item.Element(FeedXml.Content + "encoded")),
            BaseUrl = baseUri == documentUrl ? null : baseUri.ToString(),
            Enclosure = enclosure,
        };
    }
}
