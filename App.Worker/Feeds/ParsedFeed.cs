namespace App.Worker.Feeds;

/// <summary>
/// A feed in one normalized shape, whatever its format. Titles are plain text; HTML fields are
/// unsanitized. <see cref="Items"/> is empty when the items were handed over one by one as parsed.
/// </summary>
public sealed record ParsedFeed(string? Title, string? SiteUrl, string? IconUrl, IReadOnlyList<ParsedItem> Items);

/// <summary>
/// One entry. <see cref="Title"/> is plain text; <see cref="Summary"/> and <see cref="Content"/>
/// are unsanitized HTML; <see cref="BaseUrl"/> is what relative URLs inside them resolve against.
/// </summary>
public sealed record ParsedItem(string? Guid, string? Title, string? Link)
{
    public string? Author { get; init; }

    public DateTime? PublishedAt { get; init; }

    public DateTime? UpdatedAt { get; init; }

    public string? Summary { get; init; }

    public string? Content { get; init; }

    public string? BaseUrl { get; init; }

    public ParsedEnclosure? Enclosure { get; init; }
}

/// <summary>An attached media file (a podcast episode).</summary>
public sealed record ParsedEnclosure(string Url, string? MediaType, long? Length);
