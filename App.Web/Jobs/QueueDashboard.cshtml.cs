using App.Data;
using App.Data.Queue;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Jobs;

/// <summary><c>/jobs</c>: job counts by state, the workers and how recently each was seen, and the latest failures.</summary>
public sealed class QueueDashboardModel(IDbContextFactory<AppDbContext> contexts, JobQueue queue, TimeProvider time) : PageModel
{
    /// <summary>A worker not seen for this long has probably stopped (it beats every few seconds).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    public const int FailuresShown = 20;

    public QueueStats Stats { get; private set; } = null!;

    public IReadOnlyList<JobResponse> Failures { get; private set; } = [];

    /// <summary>Names of the feeds the failed jobs belong to.</summary>
    public IReadOnlyDictionary<long, string> FeedNames { get; private set; } = new Dictionary<long, string>();

    public DateTime Now { get; private set; }

    /// <summary>The outcome of a retry, shown once after the redirect.</summary>
    [TempData]
    public string? Message { get; set; }

    public bool IsStale(WorkerProcess worker) => Now - worker.LastSeenAt > StaleAfter;

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        Now = time.GetUtcNow().UtcDateTime;
        Stats = await QueueStats.ReadAsync(db, ct);
        var failed = await db.Jobs.AsNoTracking()
            .Where(j => j.State == JobState.Failed)
            .OrderByDescending(j => j.FinishedAt).ThenByDescending(j => j.Id)
            .Take(FailuresShown)
            .ToListAsync(ct);
        Failures = [.. failed.Select(JobResponse.From)];
        var feedIds = failed.Where(j => j.FeedId is not null).Select(j => j.FeedId!.Value).Distinct().ToList();
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
}
