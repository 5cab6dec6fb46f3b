using System.Globalization;
using System.Text;
using System.Xml;

namespace App.Web.Opml;

/// <summary>Writes the subscriptions as an OPML 2.0 document.</summary>
public static class OpmlWriter
{
    /// <summary>A feed to write; <paramref name="Folder"/> null: at the top level.</summary>
    public sealed record Subscription(string Url, string? Title, string? SiteUrl, string? Folder = null);

    public static byte[] Write(IEnumerable<Subscription> feeds, DateTime nowUtc)
    {
        using var output = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true };
        using (var xml = XmlWriter.Create(output, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("opml");
            xml.WriteAttributeString("version", "2.0");
            xml.WriteStartElement("head");
            xml.WriteElementString("title", "Feed reader subscriptions");
            // OPML dates are RFC 822.
            xml.WriteElementString("dateCreated", nowUtc.ToString("r", CultureInfo.InvariantCulture));
            xml.WriteEndElement();
            xml.WriteStartElement("body");
            // Each folder is an outline holding its feeds (the way readers import them); then the feeds in none.
            foreach (var folder in feeds.GroupBy(f => f.Folder).OrderBy(g => g.Key is null).ThenBy(g => g.Key, StringComparer.OrdinalIgnoreCase))
            {
                if (folder.Key is { } name)
                {
                    xml.WriteStartElement("outline");
                    xml.WriteAttributeString("text", name);
                    xml.WriteAttributeString("title", name);
                    WriteFeeds(xml, folder);
                    xml.WriteEndElement();
                }
                else
                {
                    WriteFeeds(xml, folder);
                }
            }
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return output.ToArray();
    }

    private static void WriteFeeds(XmlWriter xml, IEnumerable<Subscription> feeds)
    {
        foreach (var feed in feeds)
        {
            xml.WriteStartElement("outline");
            // OPML 2.0 requires text on every outline, and type="rss" with xmlUrl for a subscription.
            xml.WriteAttributeString("type", "rss");
            xml.WriteAttributeString("text", feed.Title ?? feed.Url);
            if (feed.Title is { } title)
            {
                xml.WriteAttributeString("title", title);
            }
            xml.WriteAttributeString("xmlUrl", feed.Url);
            if (feed.SiteUrl is { } site)
            {
                xml.WriteAttributeString("htmlUrl", site);
            }
            xml.WriteEndElement();
        }
    }
}
