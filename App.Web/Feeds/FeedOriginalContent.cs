using App.Data;
using App.Data.Accounts;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>A subscription's "fetch original content" setting (see <c>ArticleJobs</c>): read and set for the feed page.</summary>
public static class FeedOriginalContent
{
    /// <summary>Whether the user asks for the feed's new items' full articles; false when they do not subscribe to it.</summary>
    public static Task<bool> IsOnAsync(AppDbContext db, long userId, long feedId, CancellationToken ct) =>
        db.SubscriptionsOf(userId).Where(s => s.FeedId == feedId).Select(s => s.FetchOriginalContent).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Turns it on or off for the user's subscription. Items stored before stay as they are: only
    /// later refreshes' new items get a fetch-article job. False when they do not subscribe to the feed.
    /// </summary>
    public static async Task<bool> SetAsync(AppDbContext db, WriteLane lane, long userId, long feedId, bool on, CancellationToken ct)
    {
        using var turn = await lane.EnterAsync(ct);
        return await db.SubscriptionsOf(userId).Where(s => s.FeedId == feedId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.FetchOriginalContent, on), ct) == 1;
    }
}
