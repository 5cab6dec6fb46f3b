using App.Worker.Feeds.Parse;

namespace App.Worker.Feeds.Fetch;

/// <summary>
/// A fetched document: its body (see <see cref="FeedBody"/>; the fetch's caller disposes it),
/// declared media type and charset, and the address it finally came from. <see cref="PermanentUrl"/>
/// is where permanent redirects (301/308) led before any temporary one: the address to store.
/// <see cref="NotModified"/>: a 304, with no body.
/// </summary>
public sealed record FetchedDocument(FeedBody Body, string? MediaType, string? Charset, Uri Url)
{
    /// <summary>How much of the start is decoded to tell the kind (all of it when that much is blank).</summary>
    private const int SniffBytes = 4096;

    private DocumentKind? _kind;

    public Uri? PermanentUrl { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public bool NotModified { get; init; }

    /// <summary>
    /// What the document is, told once from its start and media type: the fetch step asks whether
    /// to follow a web page, the parse step which parser to use.
    /// </summary>
    public DocumentKind Kind => _kind ??= Sniff();

    private DocumentKind Sniff()
    {
        var head = FeedDecoding.Decode(Body.Head(SniffBytes), Charset);
        if (Blank(head) == head.Length && Body.Length > SniffBytes)
        {
            head = FeedDecoding.Decode(Body.ToArray(), Charset);
        }
        var text = head.AsSpan(Blank(head));
        return text switch
        {
            [] => DocumentKind.Empty,
            ['{' or '[', ..] => DocumentKind.Json,
            _ when FeedDiscovery.LooksLikeHtml(MediaType, text) => DocumentKind.WebPage,
            _ => DocumentKind.Xml,
        };
    }

    /// <summary>How many characters of blank space (a byte order mark included) the text starts with.</summary>
    private static int Blank(string text)
    {
        var n = 0;
        while (n < text.Length && (char.IsWhiteSpace(text[n]) || text[n] == '\uFEFF'))
        {
            n++;
        }
        return n;
    }
}
