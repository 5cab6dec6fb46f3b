using System.Globalization;
using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;

namespace App.Web.GoogleReader;

/// <summary>
/// A stream request's filters, as clients send them: <c>s</c> (or the path) the stream, <c>n</c>
/// how many, <c>c</c> the continuation (the last item id of the previous page: keyset paging that
/// stays right while items arrive), <c>r=o</c> oldest first, <c>ot</c>/<c>nt</c> crawled at or
/// after / before a Unix time, <c>xt</c> streams to exclude (<c>read</c>: unread only), <c>it</c>
/// streams to keep. Items are in id order, which is the order they were stored (crawled).
/// </summary>
public sealed record ReaderQuery(
    ReaderStream Stream,
    int Count,
    long? Continuation,
    bool OldestFirst,
    DateTime? CrawledFrom,
    DateTime? CrawledBefore,
    IReadOnlyList<ReaderStream> Exclude,
    IReadOnlyList<ReaderStream> Include)
{
    public static ReaderQuery From(ReaderStream stream, ReaderParameters p, int defaultCount, int maxCount) => new(
        stream,
        Math.Clamp(p.Int("n", defaultCount), 1, maxCount),
        p.Long("c"),
        p["r"] == "o",
        Time(p.Seconds("ot")),
        Time(p.Seconds("nt")),
        [.. p.All("xt").Select(ReaderStream.Parse)],
        [.. p.All("it").Select(ReaderStream.Parse)]);

    /// <summary>The stream's items for <paramref name="userId"/>, filtered and ordered, without paging.</summary>
    public IQueryable<FeedItem> Items(AppDbContext db, long userId)
    {
        var unreadOnly = Exclude.Any(s => s.Kind == ReaderStreamKind.Read) || Include.Any(s => s.Kind == ReaderStreamKind.KeptUnread);
        IQueryable<FeedItem> items = Stream.Kind switch
        {
            // The common "unread ids" request walks the user's unread rows, not every item.
            ReaderStreamKind.ReadingList when unreadOnly => db.UnreadOf(userId).Join(db.FeedItems, u => u.ItemId, i => i.Id, (_, i) => i),
            ReaderStreamKind.ReadingList => db.ItemsOf(userId),
            ReaderStreamKind.KeptUnread => db.UnreadOf(userId).Join(db.FeedItems, u => u.ItemId, i => i.Id, (_, i) => i),
            ReaderStreamKind.Starred => db.StarredOf(userId).Join(db.FeedItems, s => s.ItemId, i => i.Id, (_, i) => i),
            ReaderStreamKind.Read => db.ItemsOf(userId).Where(i => !db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id)),
            ReaderStreamKind.Feed when Stream.FeedId is { } feedId => db.ItemsOf(userId).Where(i => i.FeedId == feedId),
            ReaderStreamKind.Label when Stream.Label is { } label => InFolder(db, userId, db.ItemsOf(userId), label),
            _ => db.FeedItems.Where(_ => false),
        };
        foreach (var excluded in Exclude)
        {
            items = excluded.Kind switch
            {
                ReaderStreamKind.Read => items.Where(i => db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id)),
                ReaderStreamKind.KeptUnread => items.Where(i => !db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id)),
                ReaderStreamKind.Starred => items.Where(i => !db.StarredItems.Any(s => s.UserId == userId && s.ItemId == i.Id)),
                ReaderStreamKind.Feed when excluded.FeedId is { } feedId => items.Where(i => i.FeedId != feedId),
                ReaderStreamKind.Label when excluded.Label is { } label => items.Where(i => !InFolder(db, userId, db.ItemsOf(userId), label).Any(x => x.Id == i.Id)),
                _ => items,
            };
        }
        foreach (var included in Include)
        {
            items = included.Kind switch
            {
                ReaderStreamKind.Read => items.Where(i => !db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id)),
                ReaderStreamKind.KeptUnread => items.Where(i => db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id)),
                ReaderStreamKind.Starred => items.Where(i => db.StarredItems.Any(s => s.UserId == userId && s.ItemId == i.Id)),
                ReaderStreamKind.Feed when included.FeedId is { } feedId => items.Where(i => i.FeedId == feedId),
                ReaderStreamKind.Label when included.Label is { } label => InFolder(db, userId, items, label),
                _ => items,
            };
        }
        if (CrawledFrom is { } from)
        {
            items = items.Where(i => i.CreatedAt >= from);
        }
        if (CrawledBefore is { } before)
        {
            items = items.Where(i => i.CreatedAt < before);
        }
        return items;
    }

    /// <summary>The items of the user's feeds in their folder named <paramref name="label"/> (any letter case, as folder names compare).</summary>
    public static IQueryable<FeedItem> InFolder(AppDbContext db, long userId, IQueryable<FeedItem> items, string label) =>
        items.Where(i => db.Subscriptions.Any(s => s.UserId == userId && s.FeedId == i.FeedId
            && db.Folders.Any(f => f.Id == s.FolderId && f.Name == label)));

    /// <summary>One page: <see cref="Count"/> items after the continuation, in the asked order.</summary>
    public IQueryable<FeedItem> Page(AppDbContext db, long userId)
    {
        var items = Items(db, userId);
        if (Continuation is { } after)
        {
            items = OldestFirst ? items.Where(i => i.Id > after) : items.Where(i => i.Id < after);
        }
        // One more than asked tells whether there is a next page.
        return (OldestFirst ? items.OrderBy(i => i.Id) : items.OrderByDescending(i => i.Id)).Take(Count + 1);
    }

    /// <summary>The continuation for the page that follows <paramref name="ids"/> (fetched with one extra).</summary>
    public string? NextContinuation(IReadOnlyList<long> ids) =>
        ids.Count > Count ? ids[Count - 1].ToString(CultureInfo.InvariantCulture) : null;

    private static DateTime? Time(double? unixSeconds) =>
        unixSeconds is { } s and > 0 ? DateTime.UnixEpoch.AddSeconds(Math.Min(s, 253402300799)) : null;
}
