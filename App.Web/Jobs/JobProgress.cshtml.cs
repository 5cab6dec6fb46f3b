using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Web.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Jobs;

/// <summary>
/// <c>/jobs/{id}</c>: one job's progress; job-progress.js keeps it current and moves on to the feed
/// when done. A user sees the jobs of their feeds; an administrator, who has the queue dashboard,
/// every job it links to.
/// </summary>
public sealed class JobProgressModel(IDbContextFactory<AppDbContext> contexts, JobQueue queue) : PageModel
{
    public JobResponse Job { get; private set; } = null!;

    /// <summary>The outcome of a retry or cancel, shown once after the redirect.</summary>
    [TempData]
    public string? Message { get; set; }

    /// <summary>
    /// Whether the page follows the job through <c>/api/jobs/{id}</c>, which shows the jobs of the
    /// user's own feeds only; an administrator looking at another user's job reloads instead.
    /// </summary>
    public bool Followable { get; private set; }

    public bool CanRetry => JobTransitions.Retry.From.Any(s => s.ToName() == Job.State);

    public bool CanCancel => JobTransitions.Cancel.From.Any(s => s.ToName() == Job.State);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await Visible(db).AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct) is not { } job)
        {
            return NotFound();
        }
        Job = JobResponse.From(job);
        Followable = await db.JobsOf(User.UserId(), User.IsAdmin()).AnyAsync(j => j.Id == id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct)
    {
        if (!await IsVisibleAsync(id, ct))
        {
            return NotFound();
        }
        if (!await queue.RetryAsync(id, ct))
        {
            Message = "The job could not be retried: it is not failed or cancelled, or the same work is already pending or running.";
        }
        return Redirect($"/jobs/{id}");
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        if (!await IsVisibleAsync(id, ct))
        {
            return NotFound();
        }
        if (!await queue.CancelAsync(id, ct))
        {
            Message = "The job could not be cancelled: it is no longer pending.";
        }
        return Redirect($"/jobs/{id}");
    }

    private IQueryable<Job> Visible(AppDbContext db) => User.IsAdmin() ? db.Jobs : db.JobsOf(User.UserId(), isAdmin: false);

    private async Task<bool> IsVisibleAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await Visible(db).AnyAsync(j => j.Id == id, ct);
    }
}
