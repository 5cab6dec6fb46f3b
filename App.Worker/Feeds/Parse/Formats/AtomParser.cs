using System.Text;
using System.Xml;
using System.Xml.Linq;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;

namespace App.Worker.Feeds.Parse.Formats;

/// <summary>
/// Atom 1.0 and 0.3. Text constructs follow their type: "text" titles are text as written,
/// "html" ones are reduced to their text, "xhtml" ones to the text of the div. Links resolve
/// against xml:base where given. An entry with only &lt;updated&gt; is dated by it.
/// </summary>
public static class AtomParser
{
    /// <summary>
    /// Reads the document from its root element, handing each entry to <paramref name="onItem"/> as
    /// it is read, with the feed as known at the first entry; returns the whole feed without entries.
    /// </summary>
    public static ParsedFeed Parse(XmlReader reader, Uri documentUrl, Action<ParsedItem, ParsedFeed> onItem, Func<XmlException, bool>? cutOff = null)
    {
        var ns = XNamespace.Get(reader.NamespaceURI);
        ParsedFeed? head = null;
        var root = StreamedXml.Read(reader, element =>
        {
            if (element.Name == ns + "entry" && element.Parent is { Parent: null } root)
            {
                head ??= Head(root, ns, documentUrl);
                onItem(Entry(element, ns, documentUrl, root), head);
            }
        }, cutOff);
        return Head(root, ns, documentUrl);
    }

    private static ParsedFeed Head(XElement root, XNamespace ns, Uri documentUrl)
    {
        var feedBase = FeedXml.BaseOf(root, documentUrl);
        return new ParsedFeed(
            TextOf(root.Element(ns + "title")) ?? FeedText.PlainText(FeedXml.Value(root.Element(FeedXml.Dc + "title"))),
            AlternateLink(root, ns, documentUrl),
            FeedText.Absolute(FeedXml.Value(root.Element(ns + "icon") ?? root.Element(ns + "logo")), feedBase),
            []);
    }

    private static ParsedItem Entry(XElement entry, XNamespace ns, Uri documentUrl, XElement root)
    {
        var baseUri = FeedXml.BaseOf(entry, documentUrl);
        var published = FeedDates.Parse(FeedXml.FirstValue(entry, ns + "published", ns + "issued", ns + "created", FeedXml.Dc + "date"));
        var updated = FeedDates.Parse(FeedXml.FirstValue(entry, ns + "updated", ns + "modified"));
        var author = FeedText.Collapse((entry.Element(ns + "author") ?? root.Element(ns + "author"))?.Element(ns + "name")?.Value)
            ?? FeedText.Collapse(FeedXml.FirstValue(entry, FeedXml.Dc + "creator", FeedXml.Dc + "author", FeedXml.Itunes + "author"));
        var title = TextOf(entry.Element(ns + "title"))
            ?? FeedText.PlainText(FeedXml.FirstValue(entry, FeedXml.Dc + "title", FeedXml.Media + "title")
                ?? FeedXml.Value(entry.Descendants(FeedXml.Media + "title").FirstOrDefault()));
        var enclosure = entry.Elements(ns + "link").FirstOrDefault(l => (string?)l.Attribute("rel") == "enclosure") is { } e
            && FeedText.Absolute(e.Attribute("href")?.Value, FeedXml.BaseOf(e, documentUrl)) is { } url
            ? new ParsedEnclosure(url, FeedText.Trim(e.Attribute("type")?.Value), FeedXml.Length(e.Attribute("length")?.Value))
            : null;
        var contentElement = entry.Element(ns + "content");
        return new ParsedItem(FeedXml.Value(entry.Element(ns + "id")), title, AlternateLink(entry, ns, documentUrl))
        {
            Author = author,
            PublishedAt = published ?? updated,
            UpdatedAt = updated,
            Summary = HtmlOf(entry.Element(ns + "summary")),
            Content = HtmlOf(contentElement),
            BaseUrl = contentElement is not null && FeedXml.BaseOf(contentElement, documentUrl) is var b && b != documentUrl
                ? b.ToString()
                : baseUri == documentUrl ? null : baseUri.ToString(),
            Enclosure = enclosure,
        };
    }

    private static string? AlternateLink(XElement parent, XNamespace ns, Uri documentUrl) =>
        FeedXml.AlternateLink(parent.Elements(ns + "link")) is { } alternate
            ? FeedText.Absolute(alternate.Attribute("href")?.Value, FeedXml.BaseOf(alternate, documentUrl))
            : null;

    private enum Kind { Text, Html, Xhtml, Base64 }

    private static Kind KindOf(XElement e)
    {
        var type = ((string?)e.Attribute("type"))?.Trim().ToLowerInvariant();
        var mode = ((string?)e.Attribute("mode"))?.Trim().ToLowerInvariant();
        return (type, mode) switch
        {
            (_, "base64") => Kind.Base64,
            ("xhtml" or "application/xhtml+xml", _) or (_, "xml") => Kind.Xhtml,
            ("html" or "text/html", _) => Kind.Html,
            // Atom 0.3's mode="escaped" means the text is markup, whatever the type says.
            (_, "escaped") => Kind.Html,
            _ => Kind.Text,
        };
    }

    private static string? TextOf(XElement? e) => e is null ? null : KindOf(e) switch
    {
        Kind.Html => FeedText.FromHtml(e.Value),
        Kind.Base64 => FeedText.FromHtml(DecodeBase64(e.Value)),
        // The text of the div, less that of any script or style element in it.
        Kind.Xhtml => FeedText.Collapse(string.Concat(e.DescendantNodes().OfType<XText>()
            .Where(t => t.Parent?.Name.LocalName is not ("script" or "style")).Select(t => t.Value))),
        _ => FeedText.PlainText(e.Value),
    };

    private static string? HtmlOf(XElement? e)
    {
        if (e is null)
        {
            return null;
        }
        return KindOf(e) switch
        {
            Kind.Html => FeedText.Trim(e.Value),
            Kind.Base64 => FeedText.Trim(DecodeBase64(e.Value)),
            Kind.Xhtml => FeedText.Trim(InnerXml(e.Elements().FirstOrDefault() is { Name.LocalName: "div" } div ? div : e)),
            _ => FeedText.Trim(e.Value) is { } text ? System.Net.WebUtility.HtmlEncode(text).Replace("\n", "<br>") : null,
        };
    }

    private static string InnerXml(XElement e)
    {
        var html = new StringBuilder();
        foreach (var node in e.Nodes())
        {
            html.Append(node.ToString(SaveOptions.DisableFormatting));
        }
        return html.ToString();
    }

    private static string? DecodeBase64(string value)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(value.Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
