using App.Data.Queue;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Feeds;

/// <summary>
/// The one seam between feeds and the queue: how a feed's fetch is asked for and found. A feed's
/// job carries the feed in the job's <see cref="Job.FeedId"/> column, once; its payload is empty.
/// </summary>
public static class FeedJobs
{
    /// <summary>The job type that fetches a feed and stores its items.</summary>
    public const string FetchFeed = "fetch-feed";

    /// <summary>The job type that fetches a feed's icon (after a refresh found none, or an old one).</summary>
    public const string FetchIcon = "fetch-icon";

    /// <summary>The request for fetching <paramref name="feedId"/>'s icon; at most one live per feed.</summary>
    public static JobRequest Icon(long feedId) => new(FetchIcon)
    {
        FeedId = feedId,
        UniqueKey = IconKey(feedId),
        Priority = JobPriority.Background,
        MaxAttempts = 2,
    };

    /// <summary>
    /// Adds an icon fetch to <paramref name="db"/>'s open write transaction when the feed has no icon
    /// record newer than <see cref="FeedIcon.KeptFor"/> and no icon fetch is live.
    /// </summary>
    public static async Task EnsureIconAsync(AppDbContext db, JobQueue queue, long feedId, DateTime now, CancellationToken ct)
    {
        var fresh = now - FeedIcon.KeptFor;
        var key = IconKey(feedId);
        if (await HasIconSince(db, feedId, fresh, ct)
            || await HasLiveJob(db, key, ct))
        {
            return;
        }
        await queue.EnqueueAsync(db, Icon(feedId), ct);
    }

    /// <summary>Runs <see cref="EnsureIconAsync"/>'s reads for no feed, so that they are compiled before a completion needs them.</summary>
    public static async Task WarmUpAsync(AppDbContext db, CancellationToken ct)
    {
        await HasIconSince(db, 0, DateTime.UnixEpoch, ct);
        await HasLiveJob(db, IconKey(0), ct);
    }

    // Asked after every refresh: compiled once, they skip EF Core's per-call look-up of the translation.
    private static readonly Func<AppDbContext, long, DateTime, CancellationToken, Task<bool>> HasIconSince =
        EF.CompileAsyncQuery((AppDbContext db, long feedId, DateTime since, CancellationToken ct) =>
            db.FeedIcons.Any(i => i.FeedId == feedId && i.FetchedAt > since));

    private static readonly Func<AppDbContext, string, CancellationToken, Task<bool>> HasLiveJob = CompileHasLiveJob();

    private static Func<AppDbContext, string, CancellationToken, Task<bool>> CompileHasLiveJob()
    {
        var live = JobQueryExtensions.StateIn(JobTransitions.Live);
        return EF.CompileAsyncQuery((AppDbContext db, string key, CancellationToken ct) => db.Jobs.Where(j => j.UniqueKey == key).Any(live));
    }

    private static string IconKey(long feedId) => $"{FetchIcon}:{feedId}";

    /// <summary>A feed has at most one live fetch job: the queue's unique key enforces it.</summary>
    public static string UniqueKey(long feedId) => $"{FetchFeed}:{feedId}";

    /// <summary>The request for fetching <paramref name="feedId"/>.</summary>
    public static JobRequest Fetch(long feedId, int priority) => new(FetchFeed)
    {
        FeedId = feedId,
        UniqueKey = UniqueKey(feedId),
        Priority = priority,
    };

    /// <summary>The id of the feed's pending or running fetch job, if any.</summary>
    public static Task<long?> LiveJobIdAsync(AppDbContext db, long feedId, CancellationToken ct) =>
        db.Jobs.Where(j => j.UniqueKey == UniqueKey(feedId))
            .InStates(JobTransitions.Live)
            .Select(j => (long?)j.Id)
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// The id of the feed's live fetch job (made due now at <paramref name="priority"/> if it is
    /// waiting), or of a new one added to <paramref name="db"/>'s open write transaction, in which
    /// the look-up and the insert cannot interleave with another process's; the unique index is
    /// the backstop.
    /// </summary>
    public static async Task<long> EnsureFetchAsync(
        AppDbContext db, JobQueue queue, long feedId, int priority, CancellationToken ct)
    {
        if (await LiveJobIdAsync(db, feedId, ct) is { } existing)
        {
            await queue.ExpediteAsync(db, existing, priority, ct);
            return existing;
        }
        return await queue.EnqueueAsync(db, Fetch(feedId, priority), ct);
    }

    /// <summary>
    /// In one statement, enqueues a background fetch for every feed that is due and not
    /// <see cref="Feed.Disabled"/>: its
    /// <see cref="Feed.NextRefreshAt"/> has come, or it has none (never fetched) and no fetch job
    /// was created after <paramref name="noJobSince"/>. Feeds with a live fetch job are skipped, and
    /// duplicates from schedulers in other processes are absorbed by the live unique-key index
    /// (INSERT OR IGNORE; ON CONFLICT DO NOTHING). Returns how many jobs were added.
    /// </summary>
    /// <remarks>
    /// A turn of the process's <paramref name="lane"/>: on SQLite the statement holds the write
    /// lock while it looks at every feed, and outside the lane it raced the worker's own
    /// completions through the busy handler, losing to a lane that writes back to back.
    /// </remarks>
    public static Task<int> EnqueueDueRefreshesAsync(
        WriteLane lane, DateTime now, DateTime noJobSince, int maxAttempts, CancellationToken ct) =>
        lane.InWriteTransactionAsync(c =>
        {
            var insert = c.Statement(DueRefreshes(c.Engine));
            insert.Parameters.AddWithValue("@type", FetchFeed);
            insert.Parameters.AddWithValue("@keyPrefix", FetchFeed + ":");
            insert.Parameters.AddWithValue("@priority", JobPriority.Background);
            insert.Parameters.AddWithValue("@now", now);
            insert.Parameters.AddWithValue("@maxAttempts", maxAttempts);
            insert.Parameters.AddWithValue("@noJobSince", noJobSince);
            var added = insert.ExecuteNonQuery();
            if (added > 0 && lane.Notifications?.TakeTurn() == true)
            {
                c.Statement(JobNotifications.Notify).ExecuteNonQuery();
            }
            return added;
        }, ct);

    /// <summary>
    /// The statement of <see cref="EnqueueDueRefreshesAsync"/> on <paramref name="engine"/>. On
    /// SQLite it holds the write lock while it runs, so both look-ups in the jobs table are pinned
    /// to indexes: the never-fetched check by feed (any state; the live unique-key index only holds
    /// pending and running jobs, and without a state condition it could not be used, so every
    /// never-fetched feed scanned the table), the live check on the live unique-key index.
    /// PostgreSQL's planner has statistics and takes no hints.
    /// </summary>
    public static string DueRefreshes(DatabaseEngine engine) => engine == DatabaseEngine.Sqlite ? SqliteDueRefreshes : PostgresDueRefreshes;

    private static readonly string SqliteDueRefreshes = DueRefreshesOf(JobSql.Sqlite, "INDEXED BY \"IX_Jobs_FeedId\"", "INDEXED BY \"UX_Jobs_LiveUniqueKey\"");

    private static readonly string PostgresDueRefreshes = DueRefreshesOf(JobSql.Postgres, "", "");

    private static string DueRefreshesOf(JobSql sql, string byFeed, string byLiveKey) => sql.InsertEach(
        JobSql.NewJob("@type", "'{}'", "@keyPrefix || f.\"Id\"", "f.\"Id\"", "NULL", "@priority", "@now", "@maxAttempts", "@now"),
        $"""
        FROM "Feeds" AS f
        WHERE NOT f."Disabled"
          AND (f."NextRefreshAt" <= @now
               OR (f."NextRefreshAt" IS NULL AND NOT EXISTS (
                   SELECT 1 FROM "Jobs" AS recent {byFeed}
                   WHERE recent."FeedId" = f."Id" AND recent."Type" = @type AND recent."CreatedAt" > @noJobSince)))
          AND NOT EXISTS (
              SELECT 1 FROM "Jobs" AS live {byLiveKey}
              WHERE live."UniqueKey" = @keyPrefix || f."Id" AND {JobSql.StateIn(JobTransitions.Live, "live.\"State\"")})
        """);
}
