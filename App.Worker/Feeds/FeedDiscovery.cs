using AngleSharp.Html.Parser;

namespace App.Worker.Feeds;

/// <summary>
/// Finds what a web page advertises: its feeds (&lt;link rel="alternate"&gt; with an RSS, Atom or
/// JSON Feed media type) and its icons, hrefs resolved against the page (and its &lt;base&gt;).
/// </summary>
public static class FeedDiscovery
{
    public const string NoFeedFound = "No feed found at this address";

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
        var document = new HtmlParser().ParseDocument(html);
        var baseUri = BaseOf(document, pageUrl);
        var found = new List<Uri>();
        foreach (var link in document.QuerySelectorAll("link[rel][href]"))
        {
            var rel = link.GetAttribute("rel")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!rel.Any(r => r.Equals("icon", StringComparison.OrdinalIgnoreCase) || r.Equals("apple-touch-icon", StringComparison.OrdinalIgnoreCase))
                || link.GetAttribute("type")?.Contains("svg", StringComparison.OrdinalIgnoreCase) == true)
            {
                continue;
            }
            if (FeedText.Absolute(link.GetAttribute("href"), baseUri) is { } url
                && !url.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && !found.Contains(new Uri(url)))
            {
                found.Add(new Uri(url));
            }
        }
        return found;
    }

    private static Uri BaseOf(AngleSharp.Html.Dom.IHtmlDocument document, Uri pageUrl) =>
        document.QuerySelector("base[href]")?.GetAttribute("href") is { } href && Uri.TryCreate(pageUrl, href, out var b)
            ? b
            : pageUrl;

    /// <summary>The feed addresses the page links to, in document order, http/https only.</summary>
    public static IReadOnlyList<Uri> FindFeeds(string html, Uri pageUrl)
    {
        var document = new HtmlParser().ParseDocument(html);
        var baseUri = BaseOf(document, pageUrl);
        var found = new List<Uri>();
        foreach (var link in document.QuerySelectorAll("link[rel][href]"))
        {
            var rel = link.GetAttribute("rel")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var type = link.GetAttribute("type")?.Split(';')[0].Trim().ToLowerInvariant();
            if (!rel.Contains("alternate", StringComparer.OrdinalIgnoreCase) || type is null || !FeedTypes.Contains(type))
            {
                continue;
            }
            if (FeedText.Absolute(link.GetAttribute("href"), baseUri) is { } url && !found.Contains(new Uri(url)))
            {
                found.Add(new Uri(url));
            }
        }
        return found;
    }
}
