using App.Data;
using App.Data.Feeds;
using App.Web.Items;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Rivers;

/// <summary>
/// A river's page: the items of many feeds merged, newest (highest id) first or oldest first,
/// keyset-paged by item id (stable while the worker adds items), each with its feed's name and
/// icon as the user sees them.
/// </summary>
public static class RiverQueries
{
    /// <summary>
    /// Up to <paramref name="limit"/> items of <paramref name="filter"/> past <paramref name="cursor"/>
    /// (older than it newest first, newer than it oldest first).
    /// </summary>
    public static Task<List<ItemSummary>> PageAsync(
        AppDbContext db, long userId, ItemFilter filter, long? cursor, bool oldestFirst, int limit, CancellationToken ct) =>
        Page(db, userId, filter, cursor, oldestFirst, limit).ToListAsync(ct);

    /// <summary>The statement of <see cref="PageAsync"/> (its plan is pinned by the tests and shown by the bench).</summary>
    public static IQueryable<ItemSummary> Page(AppDbContext db, long userId, ItemFilter filter, long? cursor, bool oldestFirst, int limit)
    {
        return Summaries(db, userId, filter.Page(db, userId, cursor, oldestFirst, limit));
    }

    /// <summary>The newest item of the river, where "mark all as read" stops when the page shown is not the newest.</summary>
    public static Task<long?> NewestAsync(AppDbContext db, long userId, ItemFilter filter, CancellationToken ct) =>
        filter.Items(db, userId).OrderByDescending(i => i.Id).Select(i => (long?)i.Id).FirstOrDefaultAsync(ct);

    // The page's rows are taken first; names, icons and marks are then looked up for those rows only.
    private static IQueryable<ItemSummary> Summaries(AppDbContext db, long userId, IQueryable<FeedItem> page) =>
        page.Select(i => new ItemSummary(
            i.Id, i.Title, i.Link, i.Author, i.PublishedAt,
            !db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id), i.Excerpt,
            db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id),
            new ItemFeed(
                i.FeedId,
                db.Subscriptions.Where(s => s.UserId == userId && s.FeedId == i.FeedId).Select(s => s.Title ?? s.Feed.Title ?? s.Feed.Url).First(),
                db.FeedIcons.Any(x => x.FeedId == i.FeedId && x.ContentType != "") ? "/api/feeds/" + i.FeedId.ToString() + "/icon" : null)));
}
