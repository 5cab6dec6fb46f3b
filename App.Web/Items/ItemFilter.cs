using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;

namespace App.Web.Items;

/// <summary>
/// Which of a user's items a river or <c>GET /api/items</c> holds: all of their feeds' items, or
/// only those unread or starred (or not), of one folder when given. Unfiltered by paging: callers
/// order by id and seek past their cursor.
/// </summary>
public sealed record ItemFilter(bool? Unread = null, bool? Starred = null, long? FolderId = null)
{
    public IQueryable<FeedItem> Items(AppDbContext db, long userId)
    {
        // The unread (or starred) rows lead when asked for: they are few, and their key is (user, item),
        // so the river walks them newest first and joins each to its item.
        IQueryable<FeedItem> items = Unread == true
            ? db.UnreadOf(userId).Join(db.FeedItems, u => u.ItemId, i => i.Id, (_, i) => i)
            : Starred == true
                ? db.StarredOf(userId).Join(db.FeedItems, s => s.ItemId, i => i.Id, (_, i) => i)
                : db.ItemsOf(userId);
        if (Unread is { } u)
        {
            items = items.Where(i => db.UnreadItems.Any(x => x.UserId == userId && x.ItemId == i.Id) == u);
        }
        if (Starred is { } s)
        {
            items = items.Where(i => db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id) == s);
        }
        if (FolderId is { } folderId)
        {
            items = items.Where(i => db.Subscriptions.Any(x => x.UserId == userId && x.FolderId == folderId && x.FeedId == i.FeedId));
        }
        return items;
    }
}
