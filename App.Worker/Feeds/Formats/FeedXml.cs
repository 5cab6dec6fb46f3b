using System.Xml.Linq;

namespace App.Worker.Feeds.Formats;

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
