using App.Data;
using App.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Folders;

/// <summary>The reads of a user's folders.</summary>
public static class FolderQueries
{
    /// <summary>The user's folders by name, with their feed and unread counts (the unread rows of the folder's feeds only).</summary>
    public static Task<List<FolderResponse>> ListAsync(AppDbContext db, long userId, CancellationToken ct) =>
        Responses(db, userId, db.FoldersOf(userId)).ToListAsync(ct);

    public static Task<FolderResponse?> FindAsync(AppDbContext db, long userId, long id, CancellationToken ct) =>
        Responses(db, userId, db.FoldersOf(userId).Where(f => f.Id == id)).FirstOrDefaultAsync(ct);

    /// <summary>The feeds of the user's folder <paramref name="folderId"/>.</summary>
    public static IQueryable<long> FeedIdsOf(AppDbContext db, long userId, long folderId) =>
        db.SubscriptionsOf(userId).Where(s => s.FolderId == folderId).Select(s => s.FeedId);

    private static IQueryable<FolderResponse> Responses(AppDbContext db, long userId, IQueryable<Folder> folders) =>
        folders.OrderBy(f => f.Name).Select(f => new FolderResponse(
            f.Id,
            f.Name,
            db.Subscriptions.Count(s => s.UserId == userId && s.FolderId == f.Id),
            db.Subscriptions.Where(s => s.UserId == userId && s.FolderId == f.Id)
                .Sum(s => db.UnreadItems.Count(u => u.UserId == userId && u.FeedId == s.FeedId))));
}
