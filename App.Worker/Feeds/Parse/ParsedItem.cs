namespace App.Worker.Feeds.Parse;

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
