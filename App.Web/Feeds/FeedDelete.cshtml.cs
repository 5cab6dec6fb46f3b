using App.Data;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>
/// <c>/feeds/{id}/delete</c>: the confirmation step before a feed is deleted, so that deleting
/// works without JS; with JS the feed page asks with confirm() and posts here directly.
/// </summary>
public sealed class FeedDeleteModel(IDbContextFactory<AppDbContext> contexts) : PageModel
{
    public FeedResponse Feed { get; private set; } = null!;

    /// <summary>Shown on the feeds list after the redirect.</summary>
    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedQueries.FindAsync(db, id, ct) is not { } feed)
        {
            return NotFound();
        }
        Feed = feed;
        return Page();
    }

    /// <summary>Deletes the feed; its items and jobs go with it through the foreign keys' cascade.</summary>
    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var name = await db.Feeds.Where(f => f.Id == id).Select(f => f.Title ?? f.Url).FirstOrDefaultAsync(ct);
        if (name is null || await db.Feeds.Where(f => f.Id == id).ExecuteDeleteAsync(ct) == 0)
        {
            return NotFound();
        }
        Message = $"Deleted “{name}”.";
        return Request.WantsJson() ? new JsonResult(new { feedId = id, deleted = true }) : Redirect("/");
    }
}
