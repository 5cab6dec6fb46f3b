using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>What asking for an item's full article came to.</summary>
public enum ArticleRequestOutcome
{
    /// <summary>A fetch-article job is queued (or one was already), at user priority.</summary>
    Queued,

    /// <summary>The item is not in the user's feeds.</summary>
    NotFound,

    /// <summary>The item has no http(s) link to load an article from.</summary>
    NoLink,
}

/// <summary>"Load full article", shared by the item page and the items API.</summary>
public static class ItemArticle
{
    /// <summary>
    /// The item's live fetch-article job made due now at user priority, or a new one; the job id
    /// is 0 unless the outcome is <see cref="ArticleRequestOutcome.Queued"/>.
    /// </summary>
    public static async Task<(ArticleRequestOutcome Outcome, long JobId)> RequestAsync(
        AppDbContext db, WriteLane lane, JobQueue queue, long userId, long itemId, CancellationToken ct)
    {
        try
        {
            using var turn = await lane.EnterAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var item = await db.ItemsOf(userId).Where(i => i.Id == itemId)
                .Select(i => new { i.FeedId, i.Link })
                .FirstOrDefaultAsync(ct);
            if (item is null)
            {
                return (ArticleRequestOutcome.NotFound, 0);
            }
            if (!ArticleJobs.IsWebLink(item.Link))
            {
                return (ArticleRequestOutcome.NoLink, 0);
            }
            var jobId = await ArticleJobs.EnsureAsync(db, queue, item.FeedId, itemId, JobPriority.User, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return (ArticleRequestOutcome.Queued, jobId);
        }
        catch (Exception e) when (UniqueViolation.Is(e))
        {
            // Another request queued the item's job in between (the unique-key backstop): that one is the answer.
            db.ChangeTracker.Clear();
            return await ArticleJobs.LiveJobIdAsync(db, itemId, ct) is { } id ? (ArticleRequestOutcome.Queued, id) : throw new InvalidOperationException("The item's article job vanished.", e);
        }
    }
}
