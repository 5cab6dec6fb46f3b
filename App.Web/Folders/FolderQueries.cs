using App.Data;
using App.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Folders;

/// <summary>The reads of a user's folders.</summary>
public static class FolderQueries
{
    /// <summary>The user's folders by name, with their feed and unread counts (the unread rows of the folder's feeds only).</summary>
    public static Task<List<FolderResponse>> ListAsync(AppDbContext db, long userId, CancellationToken ct) =>
        ListQuery(db, userId).ToListAsync(ct);

    /// <summary>The statement behind <see cref="ListAsync"/> (FeedListPlanTests pins its plan).</summary>
    public static IQueryable<FolderResponse> ListQuery(AppDbContext db, long userId) =>
        Responses(db, userId, db.FoldersOf(userId));

    public static Task<FolderResponse?> FindAsync(AppDbContext db, long userId, long id, CancellationToken ct) =>
        Responses(db, userId, db.FoldersOf(userId).Where(f => f.Id == id)).FirstOrDefaultAsync(ct);

    /// <summary>The feeds of the user's folder <paramref name="folderId"/>.</summary>
    public static IQueryable<long> FeedIdsOf(AppDbContext db, long userId, long folderId) =>
        db.SubscriptionsOf(userId).Where(s => s.FolderId == folderId).Select(s => s.FeedId);

    // A folder's unread count is a grouped count of the unread rows of the folders' feeds, summed
    // per folder and joined to the folders, rather than a count per feed inside a sum per folder:
    // SQLite seeks the same covering index entries either way, but PostgreSQL ran each feed's
    // count as a bitmap heap scan of its own (100,000 heap page visits for 500 feeds of 200 unread
    // items), where one grouped scan visits each heap page once (docs/benchmarks.md, issue 14).
    private static IQueryable<FolderResponse> Responses(AppDbContext db, long userId, IQueryable<Folder> folders)
    {
        var folderIds = folders.Select(f => (long?)f.Id);
        var filed = db.SubscriptionsOf(userId).Where(s => folderIds.Contains(s.FolderId));
        var filedFeedIds = filed.Select(s => s.FeedId);
        var unreadByFeed = db.UnreadItems.Where(u => u.UserId == userId && filedFeedIds.Contains(u.FeedId))
            .GroupBy(u => u.FeedId).Select(g => new { FeedId = g.Key, Count = g.Count() });
        var unreadByFolder = from s in filed
                             join c in unreadByFeed on s.FeedId equals c.FeedId
                             group c.Count by s.FolderId into g
                             select new { FolderId = g.Key, Count = g.Sum() };
        return from f in folders
               join c in unreadByFolder on (long?)f.Id equals c.FolderId into counts
               from c in counts.DefaultIfEmpty()
               orderby f.Name
               select new FolderResponse(
                   f.Id,
                   f.Name,
                   db.Subscriptions.Count(s => s.UserId == userId && s.FolderId == f.Id),
                   (int?)c!.Count ?? 0);
    }
}
