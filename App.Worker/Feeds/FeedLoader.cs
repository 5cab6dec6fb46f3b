using Microsoft.Extensions.Options;

namespace App.Worker.Feeds;

/// <summary>
/// What a refresh found: the document fetched (possibly a 304, its body dropped once parsed) and,
/// unless not modified, the feed's own fields and its items, cleaned and spooled.
/// </summary>
public sealed record LoadedFeed(FetchedDocument Document, ParsedFeed? Feed, ItemSpool? Items) : IDisposable
{
    /// <summary>The address to store for the feed from now on: after permanent redirects, or the feed a page linked to.</summary>
    public Uri StoredUrl => Document.PermanentUrl ?? Document.Url;

    public void Dispose() => Items?.Dispose();
}

/// <summary>
/// One refresh's reading step: conditional fetch → if a web page, follow the feed it advertises
/// (<see cref="FeedDiscovery"/>) → parse item by item, each item sanitized and spooled as it is
/// read, so that neither the document's text, nor its tree, nor its items are held all at once.
/// </summary>
public sealed class FeedLoader(
    FeedFetcher fetcher, FeedParser parser, ContentCleaner cleaner, GarbageBudget budget, IOptions<FeedOptions> options)
{
    /// <summary>
    /// Loads the feed at <paramref name="url"/>. <paramref name="knownSiteUrl"/> is the site address
    /// stored from earlier refreshes: relative URLs in an item without link or xml:base resolve
    /// against the site, then against the feed's own address.
    /// </summary>
    public async Task<LoadedFeed> LoadAsync(Uri url, Validators validators, string? knownSiteUrl, CancellationToken ct)
    {
        var document = await fetcher.FetchAsync(url, ct, validators);
        if (document.NotModified)
        {
            return new LoadedFeed(document, null, null);
        }
        if (!IsWebPage(document))
        {
            return Parse(document, knownSiteUrl, ct);
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
            throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false);
        }
        // The validators belonged to the page; the feed is another resource.
        var feedDocument = await fetcher.FetchAsync(links[0], ct);
        if (IsWebPage(feedDocument))
        {
            feedDocument.Body.Dispose();
            throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false);
        }
        return Parse(feedDocument, knownSiteUrl, ct);
    }

    private LoadedFeed Parse(FetchedDocument document, string? knownSiteUrl, CancellationToken ct)
    {
        var storedUrl = (document.PermanentUrl ?? document.Url).ToString();
        var items = new ItemSpool(options.Value.MaxItemsPerFetch);
        using var body = document.Body;
        try
        {
            budget.Spend();
            var feed = parser.Parse(document, (item, soFar) =>
            {
                items.Add(FeedItemStore.Stage(item, cleaner, soFar.SiteUrl ?? knownSiteUrl ?? storedUrl));
                budget.Spend();
            }, ct);
            // The body (and its temporary file) goes once parsed: what the store step needs is in the spool.
            return new LoadedFeed(document with { Body = FeedBody.Empty }, feed, items);
        }
        catch
        {
            items.Dispose();
            throw;
        }
    }

    private static bool IsWebPage(FetchedDocument document)
    {
        // The start of the document is enough to tell; decoding all of a large feed twice is not.
        var text = FeedDecoding.Decode(document.Body.Head(1024), document.Charset).AsSpan().TrimStart();
        return FeedDiscovery.LooksLikeHtml(document.MediaType, text);
    }
}
