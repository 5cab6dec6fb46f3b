namespace App.Worker.Feeds.Fetch;

/// <summary>
/// A fetched document: its body (see <see cref="FeedBody"/>; the fetch's caller disposes it), declared media type and charset, and the address it finally
/// came from. <see cref="PermanentUrl"/> is where permanent redirects (301/308) led before any
/// temporary one: the address to store. <see cref="NotModified"/>: a 304, with no body.
/// </summary>
public sealed record FetchedDocument(FeedBody Body, string? MediaType, string? Charset, Uri Url)
{
    public Uri? PermanentUrl { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public bool NotModified { get; init; }
}
