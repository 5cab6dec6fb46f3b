namespace App.Worker.Feeds.Store;

/// <summary>How a column's value is kept in the spool.</summary>
public enum ItemColumnKind
{
    Text,
    Time,
    Number,
}

/// <summary>
/// One column of FeedItems that a refresh writes: its name, how its value is read off a
/// <see cref="StagedItem"/>, what the insert writes (by default the value) and what an update of a
/// known item writes (null: never changed once stored, like the key).
/// </summary>
public sealed record ItemColumn(string Name, ItemColumnKind Kind, Func<StagedItem, object?> Value)
{
    public string Parameter => "@" + char.ToLowerInvariant(Name[0]) + Name[1..];

    public string? InsertValue { get; init; }

    public string? UpdateValue { get; init; }

    public bool Updated { get; init; } = true;
}

/// <summary>
/// The item columns, defined once: the store's statements, their binding and the spool's record
/// are all made from this list, so a new item field is one line here (and the staging that fills it).
/// </summary>
public static class ItemColumns
{
    public static readonly IReadOnlyList<ItemColumn> All =
    [
        new("Key", ItemColumnKind.Text, i => i.Key) { Updated = false },
        new("Guid", ItemColumnKind.Text, i => i.Guid) { Updated = false },
        new("Title", ItemColumnKind.Text, i => i.Title),
        new("Link", ItemColumnKind.Text, i => i.Link),
        new("Author", ItemColumnKind.Text, i => i.Author),
        // No date in the feed: a new item takes the time it was first seen; a known one keeps the date it has.
        new("PublishedAt", ItemColumnKind.Time, i => i.PublishedAt)
        {
            InsertValue = "COALESCE(@publishedAt, @now)",
            UpdateValue = "COALESCE(@publishedAt, \"PublishedAt\", @now)",
        },
        new("UpdatedAt", ItemColumnKind.Time, i => i.UpdatedAt) { UpdateValue = "COALESCE(@updatedAt, \"UpdatedAt\")" },
        new("Summary", ItemColumnKind.Text, i => i.Summary),
        new("ContentHtml", ItemColumnKind.Text, i => i.ContentHtml),
        new("Excerpt", ItemColumnKind.Text, i => i.Excerpt),
        new("ContentText", ItemColumnKind.Text, i => i.ContentText),
        new("EnclosureUrl", ItemColumnKind.Text, i => i.EnclosureUrl),
        new("EnclosureType", ItemColumnKind.Text, i => i.EnclosureType),
        new("EnclosureLength", ItemColumnKind.Number, i => i.EnclosureLength),
    ];

    /// <summary>Inserts an item unless its (feed, key) exists (then <see cref="Update"/> applies).</summary>
    public static readonly string Insert = $"""
        INSERT INTO "FeedItems" ("FeedId", {string.Join(", ", All.Select(c => $"\"{c.Name}\""))}, "CreatedAt")
        VALUES (@feedId, {string.Join(", ", All.Select(c => c.InsertValue ?? c.Parameter))}, @now)
        ON CONFLICT ("FeedId", "Key") DO NOTHING
        """;

    /// <summary>Updates a known item in place, and only if something changed, so that a refresh of an unchanged feed writes nothing.</summary>
    public static readonly string Update = $"""
        UPDATE "FeedItems" SET {string.Join(", ", Updated.Select(c => $"\"{c.Name}\" = {c.UpdateValue ?? c.Parameter}"))}
        WHERE "FeedId" = @feedId AND "Key" = @key
            AND ({string.Join(" OR ", Updated.Select(c => $"\"{c.Name}\" IS DISTINCT FROM {c.UpdateValue ?? c.Parameter}"))})
        """;

    private static IEnumerable<ItemColumn> Updated => All.Where(c => c.Updated);
}
