using App.Data;
using App.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>
/// A user's writes of read marks and stars: single statements, so no transaction is needed. Unread
/// is a row of <see cref="UnreadItem"/>, starred one of <see cref="StarredItem"/>; the statements
/// that add rows check the subscription themselves, so a feed unsubscribed meanwhile gets none.
/// </summary>
public static class ItemReadState
{
    /// <summary>Marks an item read or unread for the user. False when it is not an item of theirs.</summary>
    public static async Task<bool> SetReadAsync(AppDbContext db, long userId, long itemId, bool read, CancellationToken ct)
    {
        if (!await db.ItemsOf(userId).AnyAsync(i => i.Id == itemId, ct))
        {
            return false;
        }
        if (read)
        {
            await db.UnreadOf(userId).Where(u => u.ItemId == itemId).ExecuteDeleteAsync(ct);
        }
        else
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
                SELECT {userId}, i."Id", i."FeedId" FROM "FeedItems" AS i
                WHERE i."Id" = {itemId} AND EXISTS (SELECT 1 FROM "Subscriptions" AS s WHERE s."UserId" = {userId} AND s."FeedId" = i."FeedId")
                ON CONFLICT DO NOTHING
                """, ct);
        }
        return true;
    }

    /// <summary>Stars or unstars an item for the user. False when it is not an item of theirs.</summary>
    public static async Task<bool> SetStarredAsync(
        AppDbContext db, long userId, long itemId, bool starred, DateTime now, CancellationToken ct)
    {
        if (!await db.ItemsOf(userId).AnyAsync(i => i.Id == itemId, ct))
        {
            return false;
        }
        if (!starred)
        {
            await db.StarredOf(userId).Where(s => s.ItemId == itemId).ExecuteDeleteAsync(ct);
        }
        else
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "StarredItems" ("UserId", "ItemId", "FeedId", "StarredAt")
                SELECT {userId}, i."Id", i."FeedId", {now} FROM "FeedItems" AS i
                WHERE i."Id" = {itemId} AND EXISTS (SELECT 1 FROM "Subscriptions" AS s WHERE s."UserId" = {userId} AND s."FeedId" = i."FeedId")
                ON CONFLICT DO NOTHING
                """, ct);
        }
        return true;
    }

    /// <summary>
    /// Marks the user's unread items of the feed read, up to item <paramref name="upTo"/> when
    /// given: items that arrived after the reader loaded the page stay unread. Returns how many changed.
    /// </summary>
    public static Task<int> MarkAllAsync(AppDbContext db, long userId, long feedId, long? upTo, CancellationToken ct)
    {
        var unread = db.UnreadOf(userId).Where(u => u.FeedId == feedId);
        if (upTo is { } last)
        {
            unread = unread.Where(u => u.ItemId <= last);
        }
        return unread.ExecuteDeleteAsync(ct);
    }
}
