namespace App.Worker.Feeds.Parse;

/// <summary>
/// A feed in one normalized shape, whatever its format. Titles are plain text; HTML fields are
/// unsanitized. <see cref="Items"/> is empty when the items were handed over one by one as parsed.
/// </summary>
public sealed record ParsedFeed(string? Title, string? SiteUrl, string? IconUrl, IReadOnlyList<ParsedItem> Items);
