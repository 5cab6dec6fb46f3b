using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>The writes shared by the feeds API and the feed pages: subscribing to a feed and asking for a refresh.</summary>
public static class FeedSubscriptions
{
    // SQLITE_CONSTRAINT: a unique index refused the row another request has just stored.
    private const int SqliteConstraintError = 19;

    /// <summary>Outcome of <see cref="SubscribeAsync"/>: <paramref name="Created"/> is false for a feed that existed.</summary>
    public sealed record Subscription(long FeedId, long? JobId, bool Created);

    /// <summary>
    /// Stores a feed for <paramref name="url"/> (already normalised by <see cref="FeedUrl"/>)
    /// together with its first fetch job, or finds the existing feed and its live fetch job.
    /// </summary>
    public static async Task<Subscription> SubscribeAsync(
        AppDbContext db, JobQueue queue, TimeProvider time, string url, CancellationToken ct)
    {
        try
        {
            return await InsertOrFindAsync(db, queue, time, url, ct);
        }
        catch (DbUpdateException e) when (e.InnerException is SqliteException { SqliteErrorCode: SqliteConstraintError })
        {
            // The write transaction makes look-up and insert atomic for every writer that uses one;
            // the unique index is the backstop for any that does not.
            db.ChangeTracker.Clear();
            var feedId = await db.Feeds.Where(f => f.Url == url).Select(f => f.Id).SingleAsync(ct);
            return new Subscription(feedId, await FeedJobs.LiveJobIdAsync(db, feedId, ct), Created: false);
        }
    }

    /// <summary>The feed's live fetch job, or a new one at user priority; null when the feed does not exist.</summary>
    public static async Task<long?> RefreshAsync(AppDbContext db, JobQueue queue, long feedId, CancellationToken ct)
    {
        try
        {
            using var gate = await queue.EnterWriteAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!await db.Feeds.AnyAsync(f => f.Id == feedId, ct))
            {
                return null;
            }
            var (existing, created) = await FeedJobs.EnsureFetchAsync(db, queue, feedId, JobPriority.User, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return existing ?? created!.Id;
        }
        catch (DbUpdateException e) when (e.InnerException is SqliteException { SqliteErrorCode: SqliteConstraintError })
        {
            // A live fetch job appeared in between (the unique-key backstop): that one is the answer.
            db.ChangeTracker.Clear();
            return await FeedJobs.LiveJobIdAsync(db, feedId, ct);
        }
    }

    private static async Task<Subscription> InsertOrFindAsync(
        AppDbContext db, JobQueue queue, TimeProvider time, string url, CancellationToken ct)
    {
        // BEGIN IMMEDIATE: the look-up and the insert hold the write lock together. Requests of
        // this process queue for it at the queue's write gate rather than in SQLite's busy handler.
        using var gate = await queue.EnterWriteAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var existing = await db.Feeds.Where(f => f.Url == url).Select(f => (long?)f.Id).FirstOrDefaultAsync(ct);
        if (existing is { } feedId)
        {
            return new Subscription(feedId, await FeedJobs.LiveJobIdAsync(db, feedId, ct), Created: false);
        }

        var feed = new Feed { Url = url, CreatedAt = time.GetUtcNow().UtcDateTime };
        db.Feeds.Add(feed);
        // The job refers to the feed, so the feed needs its id first; both commit together.
        await db.SaveChangesAsync(ct);
        var job = queue.Enqueue(db, FeedJobs.Fetch(feed.Id, JobPriority.User));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new Subscription(feed.Id, job.Id, Created: true);
    }
}
