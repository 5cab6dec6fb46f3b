using App.Worker.Feeds.Parse;

namespace App.Worker.Feeds.Fetch;

/// <summary>
/// The fetch step of a refresh: a conditional GET of the feed's address, and when that answers a
/// web page, a GET of the feed the page advertises (<see cref="FeedDiscovery"/>). What comes back
/// is a feed document or a 304, never a page.
/// </summary>
public sealed class FeedLocator(FeedFetcher fetcher)
{
    /// <summary>The feed at <paramref name="url"/>, both requests sent with <paramref name="userAgent"/> when the feed has one of its own.</summary>
    public async Task<FetchedDocument> FetchFeedAsync(Uri url, Validators validators, CancellationToken ct, string? userAgent = null)
    {
        var document = await fetcher.FetchAsync(url, ct, validators, userAgent: userAgent);
        if (document.NotModified || document.Kind != DocumentKind.WebPage)
        {
            return document;
        }
        string html;
        using (document.Body)
        {
            // Only the page's start: its link tags are in its head, and a page may be 10 MiB.
            html = FeedDecoding.DecodeHead(document.Body, FeedDiscovery.PageHeadBytes, document.Charset);
        }
        var links = FeedDiscovery.FindFeeds(html, document.Url);
        if (links.Count == 0)
        {
            throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false) { Reason = "not_a_feed" };
        }
        // The validators belonged to the page; the feed is another resource.
        var feed = await fetcher.FetchAsync(links[0], ct, userAgent: userAgent);
        if (feed.Kind == DocumentKind.WebPage)
        {
            feed.Body.Dispose();
            throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false) { Reason = "not_a_feed" };
        }
        return feed;
    }
}
