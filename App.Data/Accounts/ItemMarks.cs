using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Accounts;

/// <summary>
/// A user's read marks and stars on items, for one item or many at once (a sync client back from
/// a day offline sends hundreds). Each is one statement; those that add rows check the
/// subscription themselves, so items of feeds the user does not follow are never marked.
/// </summary>
public static class ItemMarks
{
    // "IN_IDS" stands for the engine's "is one of the ids in parameter {1}" (InIds).
    private const string MarkRead = """
        DELETE FROM "UnreadItems" WHERE "UserId" = {0} AND "ItemId" IN_IDS
        """;

    private const string MarkUnread = """
        INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
        SELECT {0}, i."Id", i."FeedId" FROM "FeedItems" AS i
        WHERE i."Id" IN_IDS
          AND EXISTS (SELECT 1 FROM "Subscriptions" AS s WHERE s."UserId" = {0} AND s."FeedId" = i."FeedId")
        ON CONFLICT DO NOTHING
        """;

    private const string Star = """
        INSERT INTO "StarredItems" ("UserId", "ItemId", "FeedId", "StarredAt")
        SELECT {0}, i."Id", i."FeedId", {2} FROM "FeedItems" AS i
        WHERE i."Id" IN_IDS
          AND EXISTS (SELECT 1 FROM "Subscriptions" AS s WHERE s."UserId" = {0} AND s."FeedId" = i."FeedId")
        ON CONFLICT DO NOTHING
        """;

    private const string Unstar = """
        DELETE FROM "StarredItems" WHERE "UserId" = {0} AND "ItemId" IN_IDS
        """;

    public static Task<int> SetReadAsync(AppDbContext db, long userId, IEnumerable<long> itemIds, bool read, CancellationToken ct)
    {
        var (sql, ids) = WithIds(db, read ? MarkRead : MarkUnread, itemIds);
        return db.Database.ExecuteSqlRawAsync(sql, [userId, ids], ct);
    }

    public static Task<int> SetStarredAsync(AppDbContext db, long userId, IEnumerable<long> itemIds, bool starred, DateTime now, CancellationToken ct)
    {
        var (sql, ids) = WithIds(db, starred ? Star : Unstar, itemIds);
        return db.Database.ExecuteSqlRawAsync(sql, [userId, ids, now], ct);
    }

    /// <summary>
    /// <paramref name="sql"/> with its IN_IDS as "is one of the ids in parameter {1}", and that
    /// parameter: a JSON array read by <c>json_each</c> on SQLite (which has no array parameters),
    /// a <c>bigint[]</c> on PostgreSQL.
    /// </summary>
    private static (string Sql, object Ids) WithIds(AppDbContext db, string sql, IEnumerable<long> itemIds)
    {
        var distinct = itemIds.Distinct().ToArray();
        return db.Engine == DatabaseEngine.Sqlite
            ? (sql.Replace("IN_IDS", """IN (SELECT "value" FROM json_each({1}))""", StringComparison.Ordinal), JsonSerializer.Serialize(distinct))
            : (sql.Replace("IN_IDS", "= ANY({1})", StringComparison.Ordinal), distinct);
    }

    /// <summary>
    /// Marks the user's unread items read: of one feed (or all with null; of one folder's feeds
    /// with <paramref name="folderId"/>), up to item
    /// <paramref name="upToItem"/> and crawled no later than <paramref name="crawledBy"/> when
    /// given, so that items that arrived after the reader looked stay unread. Returns how many changed.
    /// </summary>
    public static Task<int> MarkAllReadAsync(
        AppDbContext db, long userId, long? feedId, long? upToItem, DateTime? crawledBy, CancellationToken ct, long? folderId = null)
    {
        var unread = db.UnreadOf(userId);
        if (folderId is { } folder)
        {
            unread = unread.Where(u => db.Subscriptions.Any(s => s.UserId == userId && s.FeedId == u.FeedId && s.FolderId == folder));
        }
        if (feedId is { } feed)
        {
            unread = unread.Where(u => u.FeedId == feed);
        }
        if (upToItem is { } last)
        {
            unread = unread.Where(u => u.ItemId <= last);
        }
        if (crawledBy is { } by)
        {
            unread = unread.Where(u => db.FeedItems.Any(i => i.Id == u.ItemId && i.CreatedAt <= by));
        }
        return unread.ExecuteDeleteAsync(ct);
    }
}
