using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>"Refresh now", shared by the feeds API and the feed page.</summary>
public static class FeedRefresh
{
    /// <summary>The feed's live fetch job, or a new one at user priority; null when the user does not subscribe to the feed.</summary>
    public static async Task<long?> RefreshAsync(AppDbContext db, WriteLane lane, JobQueue queue, long userId, long feedId, CancellationToken ct)
    {
        try
        {
            using var turn = await lane.EnterAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!await db.SubscriptionsOf(userId).AnyAsync(s => s.FeedId == feedId, ct))
            {
                return null;
            }
            var jobId = await FeedJobs.EnsureFetchAsync(db, queue, feedId, JobPriority.User, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return jobId;
        }
        catch (Exception e) when (UniqueViolation.Is(e))
        {
            // A live fetch job appeared in between (the unique-key backstop): that one is the answer.
            db.ChangeTracker.Clear();
            return await FeedJobs.LiveJobIdAsync(db, feedId, ct);
        }
    }
}
