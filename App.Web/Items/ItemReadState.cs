using App.Data;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>The reader's writes of read state: single statements, so no transaction is needed.</summary>
public static class ItemReadState
{
    /// <summary>
    /// Marks an item read (keeping the first read time) or unread. False when there is no such item.
    /// </summary>
    public static async Task<bool> SetAsync(AppDbContext db, long itemId, bool read, DateTime now, CancellationToken ct)
    {
        var item = db.FeedItems.Where(i => i.Id == itemId);
        var changed = read
            ? await item.ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, i => i.ReadAt ?? now), ct)
            : await item.ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, (DateTime?)null), ct);
        return changed == 1;
    }

    /// <summary>
    /// Marks the feed's unread items read, up to item <paramref name="upTo"/> when given: items that
    /// arrived after the reader loaded the page stay unread. Returns how many changed.
    /// </summary>
    public static Task<int> MarkAllAsync(AppDbContext db, long feedId, long? upTo, DateTime now, CancellationToken ct)
    {
        // ReadAt IS NULL lets the statement find its rows through the partial unread index.
        var unread = db.FeedItems.Where(i => i.FeedId == feedId && i.ReadAt == null);
        if (upTo is { } last)
        {
            unread = unread.Where(i => i.Id <= last);
        }
        return unread.ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, now), ct);
    }
}
