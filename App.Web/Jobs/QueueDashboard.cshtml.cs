using App.Data;
using App.Data.Queue;
using App.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Jobs;

/// <summary>
/// <c>/jobs</c>: job counts by state, jobs finished per minute over the last hour, running jobs and
/// their workers, jobs waiting to retry after a failed attempt, final failures, and the workers.
/// For administrators: it shows every user's feeds' jobs.
/// </summary>
[Authorize(Policy = AccountsSetup.AdminPolicy)]
public sealed class QueueDashboardModel(IDbContextFactory<AppDbContext> contexts, JobQueue queue, TimeProvider time) : PageModel
{
    public const int ChartMinutes = 60;

    public QueueStats Stats { get; private set; } = null!;

    public QueueThroughput Throughput { get; private set; } = null!;

    public IReadOnlyList<Job> Running { get; private set; } = [];

    /// <summary>Pending again after a failed attempt, waiting for their backoff.</summary>
    public IReadOnlyList<Job> Retrying { get; private set; } = [];

    public IReadOnlyList<Job> Failures { get; private set; } = [];

    /// <summary>Names of the feeds the listed jobs belong to.</summary>
    public IReadOnlyDictionary<long, string> FeedNames { get; private set; } = new Dictionary<long, string>();

    public DateTime Now { get; private set; }

    /// <summary>The outcome of a retry or cancel, shown once after the redirect.</summary>
    [TempData]
    public string? Message { get; set; }

    public bool IsStale(WorkerProcess worker) => Now - worker.LastSeenAt > WorkerPresence.StaleAfter;

    public string FeedName(long feedId) => FeedNames.GetValueOrDefault(feedId) ?? $"feed {feedId}";

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        Now = time.GetUtcNow().UtcDateTime;
        Stats = await QueueStats.ReadAsync(db, ct);
        Throughput = await QueueThroughput.ReadAsync(db, Now, ChartMinutes, ct);
        Running = await DashboardJobs.Running(db).ToListAsync(ct);
        Retrying = await DashboardJobs.Retrying(db).ToListAsync(ct);
        Failures = await DashboardJobs.Failures(db).ToListAsync(ct);
        var feedIds = Running.Concat(Retrying).Concat(Failures)
            .Where(j => j.FeedId is not null).Select(j => j.FeedId!.Value).Distinct().ToList();
        FeedNames = await db.Feeds.Where(f => feedIds.Contains(f.Id))
            .ToDictionaryAsync(f => f.Id, f => f.Title ?? f.Url, ct);
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        Message = await queue.RetryAsync(id, ct)
            ? $"Job {id} is pending again."
            : $"Job {id} could not be retried: it is no longer failed, or the same work is already pending or running.";
        return Redirect("/jobs");
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        Message = await queue.CancelAsync(id, ct)
            ? $"Job {id} is cancelled."
            : $"Job {id} could not be cancelled: a worker has started it, or it has finished.";
        return Redirect("/jobs");
    }
}
