using System.Text.Json.Serialization;

namespace App.Web.GoogleReader;

/// <summary>A link of an item: its page (<c>alternate</c>, <c>canonical</c>) or an attached file (<c>enclosure</c>).</summary>
public sealed record ReaderLink(
    string Href,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Length = null);

/// <summary>HTML with its direction, as Google Reader wrote <c>summary</c> and <c>content</c>.</summary>
public sealed record ReaderContent(string Content, string Direction = "ltr");

/// <summary>Where an item comes from.</summary>
public sealed record ReaderOrigin(string StreamId, string Title, string? HtmlUrl);

/// <summary>
/// One item as <c>stream/contents</c> and <c>stream/items/contents</c> answer it. Times follow
/// Google Reader: <c>published</c>/<c>updated</c> in seconds, the crawl time as
/// <c>crawlTimeMsec</c> and <c>timestampUsec</c> (strings); <c>categories</c> carry the user's
/// state (read, starred, reading-list) for this item.
/// </summary>
public sealed record ReaderItem(
    string Id,
    string CrawlTimeMsec,
    string TimestampUsec,
    long Published,
    long Updated,
    string Title,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Author,
    IReadOnlyList<ReaderLink> Alternate,
    IReadOnlyList<ReaderLink> Canonical,
    ReaderContent Summary,
    ReaderContent Content,
    IReadOnlyList<string> Categories,
    ReaderOrigin Origin,
    IReadOnlyList<ReaderLink> Enclosure);

/// <summary>A page of a stream's items.</summary>
public sealed record ReaderStreamContents(
    string Id,
    string Title,
    string Author,
    long Updated,
    string Direction,
    IReadOnlyList<ReaderLink> Self,
    IReadOnlyList<ReaderItem> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Continuation);

/// <summary>An item of <c>stream/items/ids</c>: its decimal id (NetNewsWire reads only this).</summary>
public sealed record ReaderItemRef(string Id, IReadOnlyList<string> DirectStreamIds, string TimestampUsec);

public sealed record ReaderItemRefs(
    IReadOnlyList<ReaderItemRef> ItemRefs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Continuation);
