using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Batches;

/// <summary>The read shared by the batch page and its JSON endpoint.</summary>
public static class BatchQueries
{
    /// <summary>Failures listed at most; the counts cover all of them.</summary>
    public const int MaxFailuresListed = 50;

    /// <summary>The batch if it is the user's (their import), else null.</summary>
    public static async Task<BatchResponse?> FindAsync(AppDbContext db, long userId, long id, CancellationToken ct)
    {
        if (!await db.BatchesOf(userId).AnyAsync(b => b.Id == id, ct)
            || await JobBatchProgress.ReadAsync(db, id, ct) is not { } progress)
        {
            return null;
        }
        var failures = progress.Failed + progress.Cancelled == 0
            ? []
            : await db.Jobs.Where(j => j.BatchId == id && (j.State == JobState.Failed || j.State == JobState.Cancelled))
                .OrderBy(j => j.Id)
                .Take(MaxFailuresListed)
                .Select(j => new BatchFailure(
                    j.Id, j.FeedId, db.Feeds.Where(f => f.Id == j.FeedId).Select(f => f.Url).FirstOrDefault(), j.LastError))
                .ToListAsync(ct);
        return BatchResponse.From(progress, failures);
    }
}
