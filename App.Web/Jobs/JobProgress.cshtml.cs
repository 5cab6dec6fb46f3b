using App.Data;
using App.Data.Queue;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Jobs;

/// <summary><c>/jobs/{id}</c>: one job's progress; job-progress.js keeps it current and moves on to the feed when done.</summary>
public sealed class JobProgressModel(IDbContextFactory<AppDbContext> contexts, JobQueue queue) : PageModel
{
    public JobResponse Job { get; private set; } = null!;

    /// <summary>The outcome of a retry or cancel, shown once after the redirect.</summary>
    [TempData]
    public string? Message { get; set; }

    public bool CanRetry => JobTransitions.Retry.From.Any(s => s.ToName() == Job.State);

    public bool CanCancel => JobTransitions.Cancel.From.Any(s => s.ToName() == Job.State);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct) is not { } job)
        {
            return NotFound();
        }
        Job = JobResponse.From(job);
        return Page();
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        if (!await queue.RetryAsync(id, ct))
        {
            Message = "The job could not be retried: it is not failed or cancelled, or the same work is already pending or running.";
        }
        return Redirect($"/jobs/{id}");
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        if (!await queue.CancelAsync(id, ct))
        {
            Message = "The job could not be cancelled: it is no longer pending.";
        }
        return Redirect($"/jobs/{id}");
    }
}
