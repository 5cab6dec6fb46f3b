using App.Data;
using App.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>A user's own name for a feed, shared by the feeds API and the feed page.</summary>
public static class FeedRename
{
    public const int MaxTitleLength = 500;

    /// <summary>Sets (or with null, clears) the user's name for the feed. False when they do not subscribe to it.</summary>
    public static async Task<bool> RenameAsync(AppDbContext db, long userId, long feedId, string? title, CancellationToken ct) =>
        await db.SubscriptionsOf(userId).Where(s => s.FeedId == feedId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Title, title), ct) == 1;
}
