namespace App.Worker.Feeds;

/// <summary>
/// The statements that store items, one item at a time inside the job's completion transaction.
/// An item is inserted unless its (feed, key) exists; then it is updated in place, and only if
/// something changed, so that a refresh of an unchanged feed writes nothing.
/// </summary>
public static class FeedItemSql
{
    public const string Insert = """
        INSERT INTO "FeedItems" ("FeedId", "Key", "Guid", "Title", "Link", "Author", "PublishedAt", "UpdatedAt",
            "Summary", "ContentHtml", "Excerpt", "EnclosureUrl", "EnclosureType", "EnclosureLength", "CreatedAt")
        VALUES ($feedId, $key, $guid, $title, $link, $author, COALESCE($publishedAt, $now), $updatedAt,
            $summary, $contentHtml, $excerpt, $enclosureUrl, $enclosureType, $enclosureLength, $now)
        ON CONFLICT ("FeedId", "Key") DO NOTHING
        """;

    // No date in the feed: the item keeps the one it has, or, if none, the time we first saw it.
    public const string Update = """
        UPDATE "FeedItems" SET "Title" = $title, "Link" = $link, "Author" = $author,
            "PublishedAt" = COALESCE($publishedAt, "PublishedAt", $now), "UpdatedAt" = COALESCE($updatedAt, "UpdatedAt"),
            "Summary" = $summary, "ContentHtml" = $contentHtml, "Excerpt" = $excerpt,
            "EnclosureUrl" = $enclosureUrl, "EnclosureType" = $enclosureType, "EnclosureLength" = $enclosureLength
        WHERE "FeedId" = $feedId AND "Key" = $key
            AND ("Title" IS NOT $title OR "Link" IS NOT $link OR "Author" IS NOT $author
                OR "PublishedAt" IS NOT COALESCE($publishedAt, "PublishedAt", $now) OR "UpdatedAt" IS NOT COALESCE($updatedAt, "UpdatedAt")
                OR "Summary" IS NOT $summary OR "ContentHtml" IS NOT $contentHtml OR "Excerpt" IS NOT $excerpt
                OR "EnclosureUrl" IS NOT $enclosureUrl OR "EnclosureType" IS NOT $enclosureType OR "EnclosureLength" IS NOT $enclosureLength)
        """;

    /// <summary>The feed's newest item id before a refresh stores anything (ids only grow: AUTOINCREMENT).</summary>
    public const string NewestId = """
        SELECT COALESCE(MAX("Id"), 0) FROM "FeedItems" WHERE "FeedId" = $feedId
        """;

    // Every subscriber finds the new items unread: one statement per refresh, whatever the number of users.
    public const string MarkNewUnread = """
        INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
        SELECT s."UserId", i."Id", i."FeedId"
        FROM "FeedItems" AS i JOIN "Subscriptions" AS s ON s."FeedId" = i."FeedId"
        WHERE i."FeedId" = $feedId AND i."Id" > $after
        """;
}
