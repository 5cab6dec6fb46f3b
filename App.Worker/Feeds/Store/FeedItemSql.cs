namespace App.Worker.Feeds.Store;

/// <summary>
/// The statements around storing items (the items' own insert and update are made from
/// <see cref="ItemColumns"/>): new items are found by id, as ids only grow, and marked unread for
/// every subscriber.
/// </summary>
public static class FeedItemSql
{
    /// <summary>The feed's newest item id before a refresh stores anything (ids only grow: AUTOINCREMENT).</summary>
    public const string NewestId = """
        SELECT COALESCE(MAX("Id"), 0) FROM "FeedItems" WHERE "FeedId" = @feedId
        """;

    // Every subscriber finds the new items unread: one statement per refresh, whatever the number of users.
    public const string MarkNewUnread = """
        INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
        SELECT s."UserId", i."Id", i."FeedId"
        FROM "FeedItems" AS i JOIN "Subscriptions" AS s ON s."FeedId" = i."FeedId"
        WHERE i."FeedId" = @feedId AND i."Id" > @after
        """;
}
