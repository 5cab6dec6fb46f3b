using App.Data;
using App.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>
/// An item as a row of the feed page or a river: its plain-text excerpt, not its content, which only
/// the item page loads; in a river also its feed (<paramref name="Feed"/>).
/// </summary>
public sealed record ItemSummary(
    long Id, string? Title, string? Link, string? Author, DateTime? PublishedAt, bool IsRead, string? Excerpt,
    bool IsStarred = false, ItemFeed? Feed = null)
{
    /// <summary>The excerpt, unless it only repeats the title (feeds that put the title in the description).</summary>
    public string? ExcerptBeyondTitle => Excerpt is { } e && !string.Equals(e.TrimEnd('…'), Title, StringComparison.OrdinalIgnoreCase) ? e : null;
}

/// <summary>The feed of a river's item: the user's name for it and its icon (null: none yet).</summary>
public sealed record ItemFeed(long Id, string Name, string? IconUrl);

/// <summary>An item as its own page shows it, with its neighbours in the feed for "newer"/"older".</summary>
public sealed record ItemDetail(
    long Id,
    long FeedId,
    string FeedName,
    string? Title,
    string? Link,
    string? Author,
    DateTime? PublishedAt,
    string? ContentHtml,
    string? EnclosureUrl,
    string? EnclosureType,
    bool IsRead,
    long? NewerId,
    long? OlderId,
    bool IsStarred = false,
    string? ArticleHtml = null,
    DateTime? ArticleFetchedAt = null);

/// <summary>The reads of the item pages, for one user: their feeds only, their read marks.</summary>
public static class ItemQueries
{
    /// <summary>
    /// Up to <paramref name="limit"/> of a feed's items, newest (highest id) first, older than
    /// <paramref name="before"/> when given: a seek on the (FeedId, Id desc) index. The caller
    /// checks the subscription.
    /// </summary>
    public static Task<List<ItemSummary>> PageAsync(
        AppDbContext db, long userId, long feedId, long? before, int limit, CancellationToken ct)
    {
        var items = db.FeedItems.Where(i => i.FeedId == feedId);
        if (before is { } b)
        {
            items = items.Where(i => i.Id < b);
        }
        return items.OrderByDescending(i => i.Id)
            .Take(limit)
            .Select(i => new ItemSummary(
                i.Id, i.Title, i.Link, i.Author, i.PublishedAt,
                !db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id), i.Excerpt,
                db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id)))
            .ToListAsync(ct);
    }

    /// <summary>The item, or null when it does not exist or is not in one of the user's feeds.</summary>
    public static async Task<ItemDetail?> DetailAsync(AppDbContext db, long userId, long id, CancellationToken ct)
    {
        var row = await db.ItemsOf(userId).Where(i => i.Id == id)
            .Join(db.SubscriptionsOf(userId), i => i.FeedId, s => s.FeedId, (i, s) => new
            {
                Item = i,
                FeedName = s.Title ?? s.Feed.Title ?? s.Feed.Url,
                IsRead = !db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id),
                IsStarred = db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id),
            })
            .AsNoTracking()
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }
        var i = row.Item;
        var newer = await db.FeedItems.Where(x => x.FeedId == i.FeedId && x.Id > id)
            .OrderBy(x => x.Id).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
        var older = await db.FeedItems.Where(x => x.FeedId == i.FeedId && x.Id < id)
            .OrderByDescending(x => x.Id).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
        return new ItemDetail(
            i.Id, i.FeedId, row.FeedName, i.Title, i.Link, i.Author, i.PublishedAt, i.ContentHtml,
            i.EnclosureUrl, i.EnclosureType, row.IsRead, newer, older, row.IsStarred, i.ArticleHtml, i.ArticleFetchedAt);
    }
}
