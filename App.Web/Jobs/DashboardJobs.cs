using App.Data;
using App.Data.Queue;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Jobs;

/// <summary>
/// The dashboard's lists of jobs, at most <see cref="Limit"/> each. Every one is a seek on an index
/// that holds only its rows, in its order (the plans are pinned by DashboardPlanTests): the page
/// refreshes every few seconds, and must not read the finished jobs the retention keeps or a
/// backlog of pending ones.
/// </summary>
public static class DashboardJobs
{
    public const int Limit = 20;

    /// <summary>Running jobs, longest-running first (IX_Jobs_Lease: the running ones only, a handful per worker).</summary>
    public static IQueryable<Job> Running(AppDbContext db) =>
        db.Jobs.AsNoTracking().Where(j => j.State == JobState.Running).OrderBy(j => j.StartedAt).Take(Limit);

    /// <summary>
    /// Pending again after a failed attempt, the soonest retry first: an ordered walk of
    /// IX_Jobs_Retrying, named because SQLite, without statistics, prefers the (State, FinishedAt)
    /// index for <c>State = 'pending'</c> and then sorts every pending job.
    /// </summary>
    public static IQueryable<Job> Retrying(AppDbContext db) =>
        db.Jobs.FromSqlRaw(DatabaseEngines.Unhinted(RetryingSql, db.Engine)).AsNoTracking().OrderBy(j => j.RunAt).Take(Limit);

    private const string RetryingSql = """
        SELECT * FROM "Jobs" INDEXED BY "IX_Jobs_Retrying" WHERE "State" = 'pending' AND "LastError" IS NOT NULL
        """;

    /// <summary>
    /// Final failures, the latest first (IX_Jobs_StateFinished walked backwards). Every finished job
    /// has its time; the condition says so to SQLite, which uses a partial index only for a query
    /// that implies the index's own condition.
    /// </summary>
    public static IQueryable<Job> Failures(AppDbContext db) =>
        db.Jobs.AsNoTracking().Where(j => j.State == JobState.Failed && j.FinishedAt != null)
            .OrderByDescending(j => j.FinishedAt).ThenByDescending(j => j.Id).Take(Limit);
}
