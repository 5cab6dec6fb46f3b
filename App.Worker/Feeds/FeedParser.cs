using System.Text;
using System.Xml;
using CodeHollow.FeedReader;

namespace App.Worker.Feeds;

/// <summary>
/// Detects the format of a fetched document and parses it into a <see cref="ParsedFeed"/>.
/// XML is first read by a reader that refuses DTDs and resolves nothing, so an entity bomb or an
/// external entity fails fast with a clear error before the feed library sees the document.
/// </summary>
public sealed class FeedParser
{
    private static readonly XmlReaderSettings SafeXml = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 0,
        IgnoreComments = true,
    };

    public ParsedFeed Parse(FetchedDocument document)
    {
        var body = document.Body;
        var start = FirstSignificantByte(body);
        if (start > 0)
        {
            // A BOM or blank lines before the XML declaration make strict readers refuse the document.
            body = body[start..];
            start = 0;
        }
        var isJson = start >= 0 && body[start] == (byte)'{';
        if (!isJson)
        {
            if (LooksLikeHtml(document, start))
            {
                throw new FeedException("No feed found at this address (it is a web page)", retryable: false);
            }
            CheckXml(body);
        }

        Feed feed;
        try
        {
            feed = FeedReader.ReadFromByteArray(body);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FeedException($"Not a feed: {e.Message}", retryable: false, e);
        }
        if (feed.Type == FeedType.Unknown)
        {
            throw new FeedException("No feed found at this address", retryable: false);
        }

        var baseUri = document.Url;
        var items = feed.Items.Select(i => new ParsedItem(
            Guid: NullIfBlank(i.Id),
            Title: NullIfBlank(i.Title),
            Link: Absolute(i.Link, baseUri),
            Author: NullIfBlank(i.Author),
            PublishedAt: Utc(i.PublishingDate ?? (i.SpecificItem as CodeHollow.FeedReader.Feeds.AtomFeedItem)?.UpdatedDate),
            ContentHtml: NullIfBlank(i.Content) ?? NullIfBlank(i.Description))).ToList();
        return new ParsedFeed(NullIfBlank(feed.Title), Absolute(feed.Link, baseUri), items);
    }

    private static void CheckXml(byte[] body)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), SafeXml);
            while (reader.Read())
            {
            }
        }
        catch (XmlException e) when (e.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new FeedException("The feed declares a DTD; DTDs are not processed for safety", retryable: false, e);
        }
        catch (XmlException e)
        {
            throw new FeedException($"Invalid XML at line {e.LineNumber}, column {e.LinePosition}: {e.Message}", retryable: false, e);
        }
    }

    private static bool LooksLikeHtml(FetchedDocument document, int start)
    {
        if (document.MediaType is "text/html" or "application/xhtml+xml")
        {
            return true;
        }
        if (start < 0)
        {
            return false;
        }
        var head = Encoding.UTF8.GetString(document.Body, start, Math.Min(256, document.Body.Length - start)).TrimStart();
        return head.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
            || head.StartsWith("<html", StringComparison.OrdinalIgnoreCase);
    }

    private static int FirstSignificantByte(byte[] body)
    {
        if (body is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            return 0; // UTF-16: left to the XML reader's own encoding detection
        }
        var i = body.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        for (; i < body.Length; i++)
        {
            if (!char.IsWhiteSpace((char)body[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static DateTime? Utc(DateTime? d) =>
        d is { } value ? DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc) : null;

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static string? Absolute(string? link, Uri baseUri) =>
        NullIfBlank(link) is { } l && Uri.TryCreate(baseUri, l, out var abs) && abs.Scheme is "http" or "https"
            ? abs.ToString()
            : null;
}
