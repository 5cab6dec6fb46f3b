using App.Worker.Feeds.Sanitize;
namespace App.Worker.Feeds.Fetch;

/// <summary>
/// Finds what a web page advertises: its feeds (&lt;link rel="alternate"&gt; with an RSS, Atom or
/// JSON Feed media type) and its icons, hrefs resolved against the page (and its &lt;base&gt;).
/// Only the start of a page is read (<see cref="PageHeadBytes"/>; link tags belong in its head),
/// and with <see cref="HtmlScanner"/>: no DOM is built, so a page of any size or nesting costs
/// time linear in that start and almost no memory. A 9 MiB page of nested tags parsed into a DOM
/// exhausted the worker.
/// </summary>
public static class FeedDiscovery
{
    public const string NoFeedFound = "No feed found at this address";

    /// <summary>How much of a page is looked at for its link tags.</summary>
    public const int PageHeadBytes = 512 * 1024;

    private static readonly string[] FeedTypes = ["application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"];

    /// <summary>Whether the document is a web page rather than a feed.</summary>
    public static bool LooksLikeHtml(string? mediaType, ReadOnlySpan<char> text)
    {
        if (text.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("<html", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        // A server that labels its page text/html and starts it with markup other than an XML declaration.
        return mediaType is "text/html" && !text.StartsWith("<?xml", StringComparison.Ordinal)
            && !text.StartsWith("<rss", StringComparison.Ordinal) && !text.StartsWith("<feed", StringComparison.Ordinal);
    }

    /// <summary>
    /// The icons the page links to (<c>rel="icon"</c>, <c>"shortcut icon"</c>, <c>"apple-touch-icon"</c>),
    /// in document order, http/https only; SVG ones are left out (an icon that can carry script is
    /// never stored).
    /// </summary>
    public static IReadOnlyList<Uri> FindIcons(string html, Uri pageUrl)
    {
        var found = new List<Uri>();
        foreach (var link in Links(html, pageUrl))
        {
            if (!link.Rel.Any(r => r.Equals("icon", StringComparison.OrdinalIgnoreCase) || r.Equals("apple-touch-icon", StringComparison.OrdinalIgnoreCase))
                || link.Type?.Contains("svg", StringComparison.OrdinalIgnoreCase) == true)
            {
                continue;
            }
            if (FeedText.Absolute(link.Href, link.Base) is { } url
                && !url.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && !found.Contains(new Uri(url)))
            {
                found.Add(new Uri(url));
            }
        }
        return found;
    }

    /// <summary>The feed addresses the page links to, in document order, http/https only.</summary>
    public static IReadOnlyList<Uri> FindFeeds(string html, Uri pageUrl)
    {
        var found = new List<Uri>();
        foreach (var link in Links(html, pageUrl))
        {
            var type = link.Type?.Split(';')[0].Trim().ToLowerInvariant();
            if (!link.Rel.Contains("alternate", StringComparer.OrdinalIgnoreCase) || type is null || !FeedTypes.Contains(type))
            {
                continue;
            }
            if (FeedText.Absolute(link.Href, link.Base) is { } url && !found.Contains(new Uri(url)))
            {
                found.Add(new Uri(url));
            }
        }
        return found;
    }

    private sealed record Link(string[] Rel, string? Type, string Href, Uri Base);

    /// <summary>
    /// The page's &lt;link rel href&gt; tags, each with the base URL it resolves against: the first
    /// &lt;base href&gt; (wherever it stands, as browsers take it), else the page's address. The
    /// content of script, style and the like is text, so a link tag written by a script is not one.
    /// </summary>
    private static List<Link> Links(string html, Uri pageUrl)
    {
        var links = new List<(string[] Rel, string? Type, string Href)>();
        Uri? baseUri = null;
        var scanner = new HtmlScanner(html, rawText: true);
        while (scanner.Next())
        {
            if (scanner.Token != HtmlToken.StartTag)
            {
                continue;
            }
            if (scanner.Span.Equals("link", StringComparison.OrdinalIgnoreCase)
                && scanner.Attribute("rel") is { } rel && scanner.Attribute("href") is { } href)
            {
                links.Add((rel.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), scanner.Attribute("type"), href));
            }
            else if (baseUri is null && scanner.Span.Equals("base", StringComparison.OrdinalIgnoreCase)
                && scanner.Attribute("href") is { } baseHref && Uri.TryCreate(pageUrl, baseHref.Trim(), out var b))
            {
                baseUri = b;
            }
        }
        return links.ConvertAll(l => new Link(l.Rel, l.Type, l.Href, baseUri ?? pageUrl));
    }
}
