using App.Data;
using App.Web.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Batches;

/// <summary><c>/batches/{id}</c>: a batch's progress bar; batch-progress.js keeps it current.</summary>
public sealed class BatchProgressModel(IDbContextFactory<AppDbContext> contexts) : PageModel
{
    public BatchResponse Batch { get; private set; } = null!;

    /// <summary>What the import did, shown once after its redirect.</summary>
    [TempData]
    public string? ImportSummary { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await BatchQueries.FindAsync(db, User.UserId(), id, ct) is not { } batch)
        {
            return NotFound();
        }
        Batch = batch;
        return Page();
    }
}
