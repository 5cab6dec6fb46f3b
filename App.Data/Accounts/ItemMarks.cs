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
    public static Task<int> SetReadAsync(AppDbContext db, long userId, IEnumerable<long> itemIds, bool read, CancellationToken ct)
    {
        var ids = JsonSerializer.Serialize(itemIds.Distinct());
        return read
            ? db.Database.ExecuteSqlInterpolatedAsync($"""
                DELETE FROM "UnreadItems" WHERE "UserId" = {userId} AND "ItemId" IN (SELECT "value" FROM json_each({ids}))
                """, ct)
            : db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
                SELECT {userId}, i."Id", i."FeedId" FROM "FeedItems" AS i
                WHERE i."Id" IN (SELECT "value" FROM json_each({ids}))
                  AND EXISTS (SELECT 1 FROM "Subscriptions" AS s WHERE s."UserId" = {userId} AND s."FeedId" = i."FeedId")
                ON CONFLICT DO NOTHING
                """, ct);
    }

    public static Task<int> SetStarredAsync(AppDbContext db, long userId, IEnumerable<long> itemIds, bool starred, DateTime now, CancellationToken ct)
    {
        var ids = JsonSerializer.Serialize(itemIds.Distinct());
        return starred
            ? db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "StarredItems" ("UserId", "ItemId", "FeedId", "StarredAt")
                SELECT {userId}, i."Id", i."FeedId", {now} FROM "FeedItems" AS i
                WHERE i."Id" IN (SELECT "value" FROM json_each({ids}))
                  AND EXISTS (SELECT 1 FROM "Subscriptions" AS s WHERE s."UserId" = {userId} AND s."FeedId" = i."FeedId")
                ON CONFLICT DO NOTHING
                """, ct)
            : db.Database.ExecuteSqlInterpolatedAsync($"""
                DELETE FROM "StarredItems" WHERE "UserId" = {userId} AND "ItemId" IN (SELECT "value" FROM json_each({ids}))
                """, ct);
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
