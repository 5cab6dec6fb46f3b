namespace App.Worker.Feeds;

/// <summary>What a refresh found: the document fetched (possibly a 304) and, unless not modified, the parsed feed.</summary>
public sealed record LoadedFeed(FetchedDocument Document, ParsedFeed? Feed)
{
    /// <summary>The address to store for the feed from now on: after permanent redirects, or the feed a page linked to.</summary>
    public Uri StoredUrl => Document.PermanentUrl ?? Document.Url;
}

/// <summary>
/// One refresh's reading step: conditional fetch → if a web page, follow the feed it advertises
/// (<see cref="FeedDiscovery"/>) → parse.
/// </summary>
public sealed class FeedLoader(FeedFetcher fetcher, FeedParser parser)
{
    public async Task<LoadedFeed> LoadAsync(Uri url, Validators validators, CancellationToken ct)
    {
        var document = await fetcher.FetchAsync(url, ct, validators);
        if (document.NotModified)
        {
            return new LoadedFeed(document, null);
        }
        if (!IsWebPage(document))
        {
            return Parsed(document, parser.Parse(document));
        }

        var html = FeedDecoding.Decode(document.Body, document.Charset);
        var links = FeedDiscovery.FindFeeds(html, document.Url);
        if (links.Count == 0)
        {
            throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false);
        }
        // The validators belonged to the page; the feed is another resource.
        var feedDocument = await fetcher.FetchAsync(links[0], ct);
        if (IsWebPage(feedDocument))
        {
            throw new FeedException(FeedDiscovery.NoFeedFound, retryable: false);
        }
        return Parsed(feedDocument, parser.Parse(feedDocument));
    }

    /// <summary>Above this size, the parse's garbage is collected before the store step starts allocating.</summary>
    private const int LargeDocument = 1024 * 1024;

    // The body is not needed once parsed; dropping it keeps a large feed from being held through the store step.
    private static LoadedFeed Parsed(FetchedDocument document, ParsedFeed feed)
    {
        if (document.Body.Length > LargeDocument)
        {
            // The body, its decoded text and the XML tree sit on the large-object heap, which only a
            // full collection frees; without one the store step grows the heap on top of them
            // (measured: peak RSS of the worker on a 10 MiB feed, docs/feeds.md).
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        return new(document with { Body = [] }, feed);
    }

    private static bool IsWebPage(FetchedDocument document)
    {
        // The start of the document is enough to tell; decoding all of a large feed twice is not.
        var head = document.Body.Length > 1024 ? document.Body[..1024] : document.Body;
        var text = FeedDecoding.Decode(head, document.Charset).AsSpan().TrimStart();
        return FeedDiscovery.LooksLikeHtml(document.MediaType, text);
    }
}
