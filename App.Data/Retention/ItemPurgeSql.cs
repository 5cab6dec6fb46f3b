using App.Data.Writes;

namespace App.Data.Retention;

/// <summary>The purge's SQL. Every statement walks one feed's items by the (FeedId, Id) index, never the whole table.</summary>
internal static class ItemPurgeSql
{
    /// <summary>The feeds to walk, once per run.</summary>
    public const string Feeds = """SELECT "Id" AS "Value" FROM "Feeds" ORDER BY "Id" """;

    /// <summary>
    /// The next <c>@limit</c> items of feed <c>@feedId</c> after id <c>@after</c>, oldest first, among
    /// those below its newest <c>@keep</c> (the subquery: the (keep+1)-th newest id, found by walking
    /// the index from the top), with whether anyone starred it or has it unread. One chunk's worth:
    /// the caller decides which of them go.
    /// </summary>
    public const string Candidates = """
        SELECT i."Id", i."CreatedAt",
            EXISTS (SELECT 1 FROM "StarredItems" AS s WHERE s."ItemId" = i."Id"),
            EXISTS (SELECT 1 FROM "UnreadItems" AS u WHERE u."ItemId" = i."Id")
        FROM "FeedItems" AS i
        WHERE i."FeedId" = @feedId AND i."Id" > @after
            AND i."Id" <= (SELECT k."Id" FROM "FeedItems" AS k WHERE k."FeedId" = @feedId ORDER BY k."Id" DESC LIMIT 1 OFFSET @keep)
        ORDER BY i."Id"
        LIMIT @limit
        """;

    /// <summary>
    /// Deletes the items whose ids are bound as <c>@ids</c> (<see cref="CommandParameters.AddIds"/>);
    /// their unread marks go by cascade.
    /// </summary>
    public static string Delete(DatabaseEngine engine) => engine == DatabaseEngine.Sqlite
        ? """DELETE FROM "FeedItems" WHERE "Id" IN (SELECT "value" FROM json_each(@ids))"""
        : """DELETE FROM "FeedItems" WHERE "Id" = ANY(@ids)""";

    public const string RecordRun = """
        INSERT INTO "ItemPurgeRuns" ("StartedAt", "FinishedAt", "Deleted") VALUES (@startedAt, @finishedAt, @deleted)
        """;

    /// <summary>SQLite: moves the WAL's pages into the file and truncates the WAL to zero bytes.</summary>
    public const string Checkpoint = "PRAGMA wal_checkpoint(TRUNCATE)";
}
