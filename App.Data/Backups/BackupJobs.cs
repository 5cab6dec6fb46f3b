using System.Text.Json;
using App.Data.Queue;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Backups;

/// <summary>
/// The seam between backups and the queue. A backup runs as a job, so that however many workers
/// run, one takes it: the job's unique key allows one live backup at a time, and whether one is due
/// is decided inside the write transaction that enqueues it (a second worker deciding at the same
/// moment waits for the lock and then sees the first one's job).
/// </summary>
public static class BackupJobs
{
    /// <summary>The job type that takes a backup.</summary>
    public const string Type = "backup";

    /// <summary>At most one live backup job.</summary>
    public const string UniqueKey = "backup";

    /// <summary>After a failed backup, the schedule tries again this soon at the earliest (the job's own retries come first).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromHours(1);

    /// <summary>The request for a backup asked for by <paramref name="trigger"/> (<see cref="BackupTrigger"/>).</summary>
    public static JobRequest Request(string trigger) => new(Type, JsonSerializer.Serialize(new { trigger }))
    {
        UniqueKey = UniqueKey,
        Priority = trigger == BackupTrigger.Admin ? JobPriority.User : JobPriority.Background,
        MaxAttempts = 3,
    };

    /// <summary>Who asked for the backup <paramref name="payload"/> describes.</summary>
    public static string TriggerOf(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.TryGetProperty("trigger", out var trigger) && trigger.GetString() is { Length: > 0 } value
            ? value
            : BackupTrigger.Schedule;
    }

    /// <summary>
    /// Enqueues a scheduled backup when none succeeded within <paramref name="interval"/>, none was
    /// tried within <see cref="RetryAfterFailure"/> (or the interval, if shorter), and none is live.
    /// Returns the new job's id, or null when none was due.
    /// </summary>
    public static Task<long?> EnqueueIfDueAsync(WriteLane lane, JobQueue queue, TimeSpan interval, DateTime now, CancellationToken ct) =>
        lane.InWriteTransactionAsync(c =>
        {
            var retry = interval < RetryAfterFailure ? interval : RetryAfterFailure;
            if (JobQueue.FindLive(c, UniqueKey) is not null
                || Any(c, """SELECT EXISTS (SELECT 1 FROM "Backups" WHERE "StartedAt" > @since AND "Error" IS NULL)""", now - interval)
                || Any(c, """SELECT EXISTS (SELECT 1 FROM "Backups" WHERE "StartedAt" > @since)""", now - retry))
            {
                return (long?)null;
            }
            return queue.Enqueue(c, Request(BackupTrigger.Schedule));
        }, ct);

    /// <summary>A backup now, for an administrator: the live backup job if there is one (then <c>Created</c> is false), else a new one.</summary>
    public static Task<(long JobId, bool Created)> EnqueueNowAsync(WriteLane lane, JobQueue queue, CancellationToken ct) =>
        lane.InWriteTransactionAsync(c => JobQueue.FindLive(c, UniqueKey) is { } live
            ? (live, false)
            : (queue.Enqueue(c, Request(BackupTrigger.Admin)), true), ct);

    /// <summary>The backup job waiting or running now, if any.</summary>
    public static Task<Job?> LiveAsync(AppDbContext db, CancellationToken ct) =>
        db.Jobs.AsNoTracking().Where(j => j.UniqueKey == UniqueKey).InStates(JobTransitions.Live).FirstOrDefaultAsync(ct);

    private static bool Any(WriteConnection connection, string sql, DateTime since)
    {
        var query = connection.Statement(sql);
        query.Parameters.AddWithValue("@since", since);
        return Convert.ToInt64(query.ExecuteScalar()) != 0;
    }
}
