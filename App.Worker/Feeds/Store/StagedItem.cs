namespace App.Worker.Feeds.Store;

/// <summary>One item as it will be stored: identity, text, sanitized HTML; <see cref="PublishedAt"/> as the feed gave it.</summary>
public sealed record StagedItem(
    string Key,
    string? Guid,
    string? Title,
    string? Link,
    string? Author,
    DateTime? PublishedAt,
    DateTime? UpdatedAt,
    string? Summary,
    string? ContentHtml,
    string? Excerpt,
    string? ContentText,
    string? EnclosureUrl,
    string? EnclosureType,
    long? EnclosureLength);
