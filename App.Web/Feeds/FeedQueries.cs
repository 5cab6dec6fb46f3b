using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>The reads shared by the feeds API and the feed pages: a user's subscriptions, as they see them.</summary>
public static class FeedQueries
{
    /// <summary>Default and largest page of items.</summary>
    public const int DefaultItemLimit = 50;
    public const int MaxItemLimit = 200;

    /// <summary>Default and largest page of feeds (<c>GET /api/feeds</c>); the feeds list shows the default.</summary>
    public const int DefaultFeedLimit = 100;
    public const int MaxFeedLimit = 1000;

    /// <summary>
    /// Up to <paramref name="limit"/> (clamped to 1..<see cref="MaxFeedLimit"/>) of the user's feeds
    /// in the order the feeds were added (by id), after feed <paramref name="after"/> when given:
    /// keyset paging, a seek on the subscription's key whatever the page, stable while feeds come
    /// and go. Each feed's counts are seeks too, so a page costs the same at 5,000 feeds as at 50.
    /// </summary>
    public static async Task<FeedPage> PageAsync(AppDbContext db, long userId, long? after, int limit, CancellationToken ct)
    {
        var take = Math.Clamp(limit, 1, MaxFeedLimit);
        // One more than the page, to know whether there is a next one.
        return Trimmed(await PageQuery(db, userId, after, take + 1).ToListAsync(ct), take);
    }

    /// <summary>A page read one row long, cut to <paramref name="take"/>: the extra row says a next page follows, after the page's last feed.</summary>
    private static FeedPage Trimmed(List<FeedResponse> feeds, int take)
    {
        if (feeds.Count <= take)
        {
            return new FeedPage(feeds, null);
        }
        feeds.RemoveAt(take);
        return new FeedPage(feeds, feeds[^1].Id);
    }

    /// <summary>
    /// Every feed of the user, a page of <see cref="MaxFeedLimit"/> at a time: for the Google Reader
    /// API's subscription list, which has no paging of its own (a sync app needs the whole list).
    /// </summary>
    public static async Task<List<FeedResponse>> AllAsync(AppDbContext db, long userId, CancellationToken ct)
    {
        var all = new List<FeedResponse>();
        long? after = null;
        do
        {
            var page = await PageAsync(db, userId, after, MaxFeedLimit, ct);
            all.AddRange(page.Feeds);
            after = page.NextAfter;
        }
        while (after is not null);
        return all;
    }

    /// <summary>The statement behind a page: the subscriptions' page, then each feed's summary (FeedListPlanTests pins its plan).</summary>
    public static IQueryable<FeedResponse> PageQuery(AppDbContext db, long userId, long? after, int take) =>
        Summaries(db, userId, PageOf(db, userId, after, take));

    /// <summary>The user's subscriptions after feed <paramref name="after"/>, by feed id, at most <paramref name="take"/> (the export reads by it too).</summary>
    public static IQueryable<Subscription> PageOf(AppDbContext db, long userId, long? after, int take)
    {
        var subscriptions = db.SubscriptionsOf(userId);
        if (after is { } a)
        {
            subscriptions = subscriptions.Where(s => s.FeedId > a);
        }
        return subscriptions.OrderBy(s => s.FeedId).Take(take);
    }

    /// <summary>
    /// The feeds list's page: like <see cref="PageAsync"/>, but in the list's order, by folder name
    /// (the feeds in no folder last) and then by feed id, so that a folder's feeds come together
    /// across pages. <paramref name="after"/> is still a feed id: its subscription gives the
    /// position (a feed no longer followed starts the list over).
    /// </summary>
    public static async Task<FeedPage> GroupedPageAsync(AppDbContext db, long userId, long? after, int limit, CancellationToken ct)
    {
        var take = Math.Clamp(limit, 1, MaxFeedLimit);
        var start = after is { } a ? await PositionAsync(db, userId, a, ct) : null;
        return Trimmed(await GroupedPageQuery(db, userId, start, take + 1).ToListAsync(ct), take);
    }

    /// <summary>The statement behind a page of the feeds list: the grouped page of subscriptions, then each feed's summary.</summary>
    public static IQueryable<FeedResponse> GroupedPageQuery(AppDbContext db, long userId, GroupedPosition? after, int take) =>
        Summaries(db, userId, GroupedPageOf(db, userId, after, take));

    /// <summary>Where feed <paramref name="feedId"/> sits in the grouped order; null when the user does not follow it.</summary>
    public static Task<GroupedPosition?> PositionAsync(AppDbContext db, long userId, long feedId, CancellationToken ct) =>
        db.SubscriptionsOf(userId).Where(s => s.FeedId == feedId)
            .Select(s => new GroupedPosition(db.Folders.Where(f => f.Id == s.FolderId).Select(f => f.Name).FirstOrDefault(), s.FeedId))
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// The user's subscriptions after <paramref name="after"/> in the grouped order, at most
    /// <paramref name="take"/> (the export reads by it too). Folder names compare as their column
    /// does (NOCASE), in the filter and the sort alike.
    /// </summary>
    public static IQueryable<Subscription> GroupedPageOf(AppDbContext db, long userId, GroupedPosition? after, int take)
    {
        var rows = from s in db.SubscriptionsOf(userId)
                   join f in db.Folders on s.FolderId equals f.Id into folders
                   from f in folders.DefaultIfEmpty()
                   select new { Subscription = s, Folder = f == null ? null : f.Name };
        if (after is { Folder: null } last)
        {
            rows = rows.Where(r => r.Folder == null && r.Subscription.FeedId > last.FeedId);
        }
        else if (after is { Folder: { } name } position)
        {
            rows = rows.Where(r => r.Folder == null
                || string.Compare(r.Folder, name) > 0
                || (r.Folder == name && r.Subscription.FeedId > position.FeedId));
        }
        return rows.OrderBy(r => r.Folder == null).ThenBy(r => r.Folder).ThenBy(r => r.Subscription.FeedId)
            .Take(take)
            .Select(r => r.Subscription);
    }

    /// <summary>The feed as the user sees it; null when they do not subscribe to it.</summary>
    public static Task<FeedResponse?> FindAsync(AppDbContext db, long userId, long id, CancellationToken ct) =>
        Summaries(db, userId, db.SubscriptionsOf(userId).Where(s => s.FeedId == id)).FirstOrDefaultAsync(ct);

    public static Task<bool> IsSubscribedAsync(AppDbContext db, long userId, long feedId, CancellationToken ct) =>
        db.SubscriptionsOf(userId).AnyAsync(s => s.FeedId == feedId, ct);

    /// <summary>The feed's stored icon, or null when it has none (or none yet) or the user does not subscribe.</summary>
    public static Task<FeedIcon?> IconAsync(AppDbContext db, long userId, long id, CancellationToken ct) =>
        db.FeedIcons.AsNoTracking()
            .Where(i => i.FeedId == id && i.ContentType != "" && db.Subscriptions.Any(s => s.UserId == userId && s.FeedId == id))
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// Up to <paramref name="limit"/> (clamped to 1..<see cref="MaxItemLimit"/>) of a feed's items,
    /// newest (highest id) first, older than item <paramref name="before"/> when given: keyset
    /// paging, which stays stable while the worker adds items. The caller checks the subscription.
    /// </summary>
    public static Task<List<FeedItemResponse>> ItemsAsync(
        AppDbContext db, long feedId, long? before, int limit, CancellationToken ct)
    {
        var items = db.FeedItems.Where(i => i.FeedId == feedId);
        if (before is { } b)
        {
            items = items.Where(i => i.Id < b);
        }
        return items.OrderByDescending(i => i.Id)
            .Take(Math.Clamp(limit, 1, MaxItemLimit))
            .Select(i => new FeedItemResponse(i.Id, i.Guid, i.Title, i.Link, i.Author, i.PublishedAt, i.ContentHtml))
            .ToListAsync(ct);
    }

    // The projection comes last: EF Core cannot filter or sort on a constructed record. The user's
    // own name for the feed wins over the feed's; unread counts read the user's unread rows only.
    private static IQueryable<FeedResponse> Summaries(AppDbContext db, long userId, IQueryable<Subscription> subscriptions) =>
        subscriptions.Select(s => new FeedResponse(
            s.FeedId, s.Feed.Url, s.Title ?? s.Feed.Title, s.Feed.SiteUrl, s.Feed.LastFetchedAt, s.Feed.LastError,
            db.FeedItems.Count(i => i.FeedId == s.FeedId),
            s.Feed.NextRefreshAt, s.Feed.ConsecutiveFailures,
            db.UnreadItems.Count(u => u.UserId == userId && u.FeedId == s.FeedId),
            db.FeedIcons.Any(i => i.FeedId == s.FeedId && i.ContentType != "") ? "/api/feeds/" + s.FeedId.ToString() + "/icon" : null,
            s.FolderId,
            s.Feed.FetchNote,
            s.Feed.RefreshIntervalMinutes,
            s.Feed.UserAgent,
            s.Feed.Disabled));
}
