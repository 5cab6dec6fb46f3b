using System.Xml.Linq;
using App.Worker.Feeds.Sanitize;

namespace App.Worker.Feeds.Parse.Formats;

/// <summary>Namespaces and element look-ups shared by the XML formats.</summary>
public static class FeedXml
{
    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace Atom03 = "http://purl.org/atom/ns#";
    public static readonly XNamespace Rss10 = "http://purl.org/rss/1.0/";
    public static readonly XNamespace Rss090 = "http://my.netscape.com/rdf/simple/0.9/";
    public static readonly XNamespace Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";
    public static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";
    public static readonly XNamespace DcTerms = "http://purl.org/dc/terms/";
    public static readonly XNamespace Itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
    public static readonly XNamespace Media = "http://search.yahoo.com/mrss/";

    /// <summary>
    /// Namespaces of Atom's drafts before 1.0 (Echo, Pie, Necho and the 0.3 one), read as Atom 0.3
    /// is, as the Universal Feed Parser does.
    /// </summary>
    public static readonly HashSet<XNamespace> AtomDrafts =
    [
        Atom03, "http://purl.org/echo/", "http://purl.org/pie/", "http://example.com/newformat#", "http://example.com/necho", "uri/of/echo/namespace#",
    ];

    /// <summary>
    /// Prefixes feeds use without declaring them, bound to their well-known namespaces before the
    /// document is read (a declaration in the document takes precedence). Without this, an
    /// undeclared <c>content:</c> or <c>dc:</c> made the whole feed invalid XML.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, XNamespace> WellKnownPrefixes = new Dictionary<string, XNamespace>
    {
        ["atom"] = Atom,
        ["content"] = Content,
        ["dc"] = Dc,
        ["dcterms"] = DcTerms,
        ["itunes"] = Itunes,
        ["media"] = Media,
        ["rdf"] = Rdf,
        ["slash"] = "http://purl.org/rss/1.0/modules/slash/",
        ["wfw"] = "http://wellformedweb.org/CommentAPI/",
        ["sy"] = "http://purl.org/rss/1.0/modules/syndication/",
        ["thr"] = "http://purl.org/syndication/thread/1.0",
        ["georss"] = "http://www.georss.org/georss",
        ["feedburner"] = "http://rssnamespace.org/feedburner/ext/1.0",
        ["googleplay"] = "http://www.google.com/schemas/play-podcasts/1.0",
        ["podcast"] = "https://podcastindex.org/namespace/1.0",
        ["xhtml"] = "http://www.w3.org/1999/xhtml",
    };

    /// <summary>The value of the first of <paramref name="names"/> that <paramref name="parent"/> has a non-blank child of.</summary>
    public static string? FirstValue(XElement parent, params XName[] names)
    {
        foreach (var name in names)
        {
            if (Value(parent.Element(name)) is { } value)
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>
    /// The link an Atom-style list of &lt;link&gt; elements points a reader to: the first
    /// rel="alternate" (or no rel) that is HTML, else the first rel="alternate" (or no rel) at all.
    /// </summary>
    public static XElement? AlternateLink(IEnumerable<XElement> links)
    {
        var candidates = links.Where(l => (string?)l.Attribute("rel") is null or "alternate").ToList();
        return candidates.FirstOrDefault(l => (string?)l.Attribute("type") is null or "text/html") ?? candidates.FirstOrDefault();
    }

    /// <summary>The first child named <paramref name="localName"/> in no namespace or in <paramref name="ns"/>.</summary>
    public static XElement? Child(XElement parent, string localName, XNamespace? ns = null)
    {
        foreach (var e in parent.Elements())
        {
            if (e.Name.LocalName == localName && (e.Name.Namespace == XNamespace.None || e.Name.Namespace == ns))
            {
                return e;
            }
        }
        return null;
    }

    /// <summary>The first child with exactly this name.</summary>
    public static XElement? Child(XElement parent, XName name) => parent.Element(name);

    /// <summary>The base URI in effect at <paramref name="element"/>: xml:base attributes from the root down, over the document's URL.</summary>
    public static Uri BaseOf(XElement element, Uri documentUrl)
    {
        var bases = new List<string>();
        for (var e = element; e is not null; e = e.Parent)
        {
            if (e.Attribute(XNamespace.Xml + "base")?.Value is { } value)
            {
                bases.Add(value.Trim());
            }
        }
        var current = documentUrl;
        for (var k = bases.Count - 1; k >= 0; k--)
        {
            if (Uri.TryCreate(current, bases[k], out var next) && next.Scheme is "http" or "https")
            {
                current = next;
            }
        }
        return current;
    }

    /// <summary>The value of <paramref name="e"/>, trimmed; null when absent or blank.</summary>
    public static string? Value(XElement? e) => FeedText.Trim(e?.Value);

    /// <summary>A non-negative size in bytes, or null.</summary>
    public static long? Length(string? text) =>
        long.TryParse(text?.Trim(), out var n) && n > 0 ? n : null;
}
