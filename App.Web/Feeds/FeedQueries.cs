using App.Data;
using App.Data.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>The reads shared by the feeds API and the feed pages.</summary>
public static class FeedQueries
{
    /// <summary>Default and largest page of items.</summary>
    public const int DefaultItemLimit = 50;
    public const int MaxItemLimit = 200;

    /// <summary>All feeds in the order they were added.</summary>
    public static Task<List<FeedResponse>> ListAsync(AppDbContext db, CancellationToken ct) =>
        Summaries(db, db.Feeds.OrderBy(f => f.Id)).ToListAsync(ct);

    public static Task<FeedResponse?> FindAsync(AppDbContext db, long id, CancellationToken ct) =>
        Summaries(db, db.Feeds.Where(f => f.Id == id)).FirstOrDefaultAsync(ct);

    /// <summary>The feed's stored icon, or null when it has none (or none yet).</summary>
    public static Task<FeedIcon?> IconAsync(AppDbContext db, long id, CancellationToken ct) =>
        db.FeedIcons.AsNoTracking().Where(i => i.FeedId == id && i.ContentType != "").FirstOrDefaultAsync(ct);

    /// <summary>
    /// Up to <paramref name="limit"/> (clamped to 1..<see cref="MaxItemLimit"/>) of a feed's items,
    /// newest (highest id) first, older than item <paramref name="before"/> when given: keyset
    /// paging, which stays stable while the worker adds items.
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

    // The projection comes last: EF Core cannot filter or sort on a constructed record.
    private static IQueryable<FeedResponse> Summaries(AppDbContext db, IQueryable<Feed> feeds) =>
        feeds.Select(f => new FeedResponse(
            f.Id, f.Url, f.Title, f.SiteUrl, f.LastFetchedAt, f.LastError, f.Items.Count,
            f.NextRefreshAt, f.ConsecutiveFailures, f.Items.Count(i => i.ReadAt == null),
            db.FeedIcons.Any(i => i.FeedId == f.Id && i.ContentType != "") ? "/api/feeds/" + f.Id.ToString() + "/icon" : null));
}
