namespace App.Worker.Feeds;

/// <summary>A feed in one normalized shape, whatever its format; text fields are raw as published.</summary>
public sealed record ParsedFeed(string? Title, string? SiteUrl, IReadOnlyList<ParsedItem> Items);

/// <summary>One entry; <see cref="ContentHtml"/> is unsanitized and <see cref="Title"/> may hold markup.</summary>
public sealed record ParsedItem(
    string? Guid, string? Title, string? Link, string? Author, DateTime? PublishedAt, string? ContentHtml);
