using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Web.GoogleReader;

/// <summary>An item with what the Google Reader API tells about it: its feed, the user's marks and folder.</summary>
public sealed record ReaderItemRow(
    long Id,
    long FeedId,
    string FeedTitle,
    string? SiteUrl,
    string? Title,
    string? Link,
    string? Author,
    DateTime? PublishedAt,
    DateTime? UpdatedAt,
    DateTime CreatedAt,
    string? ContentHtml,
    string? Summary,
    string? EnclosureUrl,
    string? EnclosureType,
    long? EnclosureLength,
    bool Unread,
    bool Starred,
    string? Folder = null)
{
    public long CrawlMicroseconds => (CreatedAt - DateTime.UnixEpoch).Ticks / 10;

    public ReaderItem ToJson()
    {
        var categories = new List<string> { ReaderStream.ReadingListId, Unread ? ReaderStream.FreshId : ReaderStream.ReadId };
        if (Starred)
        {
            categories.Add(ReaderStream.StarredId);
        }
        if (Folder is { } folder)
        {
            categories.Add(ReaderStream.OfLabel(folder));
        }
        var link = Link is { } l ? new[] { new ReaderLink(l, "text/html") } : [];
        var content = new ReaderContent(ContentHtml ?? Summary ?? "");
        return new ReaderItem(
            ReaderItemIds.Long(Id),
            (CrawlMicroseconds / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            CrawlMicroseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Seconds(PublishedAt ?? CreatedAt),
            Seconds(UpdatedAt ?? PublishedAt ?? CreatedAt),
            Title ?? "",
            Author,
            link,
            Link is { } c ? [new ReaderLink(c)] : [],
            new ReaderContent(Summary ?? ContentHtml ?? ""),
            content,
            categories,
            new ReaderOrigin(ReaderStream.OfFeed(FeedId), FeedTitle, SiteUrl),
            EnclosureUrl is { } e ? [new ReaderLink(e, EnclosureType ?? "application/octet-stream", EnclosureLength)] : []);
    }

    private static long Seconds(DateTime time) => (long)(time - DateTime.UnixEpoch).TotalSeconds;
}

/// <summary>Loads items for the Google Reader API with their feed names (the user's own) and the user's marks.</summary>
public static class ReaderItems
{
    /// <summary>
    /// The items of <paramref name="ids"/> that are in the user's feeds, in the order of
    /// <paramref name="ids"/>; others (another user's, unknown) are left out.
    /// </summary>
    public static async Task<List<ReaderItemRow>> LoadAsync(AppDbContext db, long userId, IReadOnlyList<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        var rows = await db.FeedItems.Where(i => ids.Contains(i.Id))
            .Join(db.SubscriptionsOf(userId), i => i.FeedId, s => s.FeedId, (i, s) => new ReaderItemRow(
                i.Id, i.FeedId, s.Title ?? s.Feed.Title ?? s.Feed.Url, s.Feed.SiteUrl, i.Title, i.Link, i.Author,
                i.PublishedAt, i.UpdatedAt, i.CreatedAt, i.ContentHtml, i.Summary, i.EnclosureUrl, i.EnclosureType, i.EnclosureLength,
                db.UnreadItems.Any(u => u.UserId == userId && u.ItemId == i.Id),
                db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id),
                db.Folders.Where(f => f.Id == s.FolderId).Select(f => f.Name).FirstOrDefault()))
            .AsNoTracking()
            .ToDictionaryAsync(r => r.Id, ct);
        return [.. ids.Where(rows.ContainsKey).Select(id => rows[id])];
    }
}
