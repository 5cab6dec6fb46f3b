using System.Globalization;
using System.Text;
using System.Xml;

namespace App.Web.Opml;

/// <summary>Writes the subscriptions as an OPML 2.0 document, as they come.</summary>
public static class OpmlWriter
{
    /// <summary>A feed to write; <paramref name="Folder"/> null: at the top level.</summary>
    public sealed record Subscription(string Url, string? Title, string? SiteUrl, string? Folder = null);

    /// <summary>
    /// Writes to <paramref name="output"/> while <paramref name="feeds"/> yields, flushing after each
    /// of its chunks: memory stays that of one chunk, whatever the number of feeds.
    /// </summary>
    public static async Task WriteAsync(Stream output, IAsyncEnumerable<IReadOnlyList<Subscription>> feeds, DateTime nowUtc, CancellationToken ct)
    {
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = true };
        await using var xml = XmlWriter.Create(output, settings);
        await xml.WriteStartDocumentAsync();
        await xml.WriteStartElementAsync(null, "opml", null);
        await xml.WriteAttributeStringAsync(null, "version", null, "2.0");
        await xml.WriteStartElementAsync(null, "head", null);
        await xml.WriteElementStringAsync(null, "title", null, "Feed reader subscriptions");
        // OPML dates are RFC 822.
        await xml.WriteElementStringAsync(null, "dateCreated", null, nowUtc.ToString("r", CultureInfo.InvariantCulture));
        await xml.WriteEndElementAsync();
        await xml.WriteStartElementAsync(null, "body", null);
        // Each folder is an outline holding its feeds (the way readers import them); the feeds come
        // grouped by folder, so a folder's outline opens at its first feed and closes at the next folder.
        string? open = null;
        await foreach (var chunk in feeds.WithCancellation(ct))
        {
            foreach (var feed in chunk)
            {
                if (open is not null && !string.Equals(open, feed.Folder, StringComparison.OrdinalIgnoreCase))
                {
                    await xml.WriteEndElementAsync();
                    open = null;
                }
                if (open is null && feed.Folder is { } folder)
                {
                    await xml.WriteStartElementAsync(null, "outline", null);
                    await xml.WriteAttributeStringAsync(null, "text", null, folder);
                    await xml.WriteAttributeStringAsync(null, "title", null, folder);
                    open = folder;
                }
                await WriteOutlineAsync(xml, feed);
            }
            await xml.FlushAsync();
        }
        if (open is not null)
        {
            await xml.WriteEndElementAsync();
        }
        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
        await xml.WriteEndDocumentAsync();
        await xml.FlushAsync();
    }

    private static async Task WriteOutlineAsync(XmlWriter xml, Subscription feed)
    {
        await xml.WriteStartElementAsync(null, "outline", null);
        // OPML 2.0 requires text on every outline, and type="rss" with xmlUrl for a subscription.
        await xml.WriteAttributeStringAsync(null, "type", null, "rss");
        await xml.WriteAttributeStringAsync(null, "text", null, feed.Title ?? feed.Url);
        if (feed.Title is { } title)
        {
            await xml.WriteAttributeStringAsync(null, "title", null, title);
        }
        await xml.WriteAttributeStringAsync(null, "xmlUrl", null, feed.Url);
        if (feed.SiteUrl is { } site)
        {
            await xml.WriteAttributeStringAsync(null, "htmlUrl", null, site);
        }
        await xml.WriteEndElementAsync();
    }
}
