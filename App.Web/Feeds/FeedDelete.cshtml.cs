using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>
/// <c>/feeds/{id}/delete</c>: the confirmation step before a feed is deleted, so that deleting
/// works without JS; with JS the feed page asks with confirm() and posts here directly.
/// </summary>
public sealed class FeedDeleteModel(IDbContextFactory<AppDbContext> contexts, WriteLane lane) : PageModel
{
    public FeedResponse Feed { get; private set; } = null!;

    /// <summary>Shown on the feeds list after the redirect.</summary>
    [TempData]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedQueries.FindAsync(db, User.UserId(), id, ct) is not { } feed)
        {
            return NotFound();
        }
        Feed = feed;
        return Page();
    }

    /// <summary>
    /// Unsubscribes; when nobody else subscribes, the feed goes too, its items and jobs with it
    /// through the foreign keys' cascade.
    /// </summary>
    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var name = await FeedQueries.FindAsync(db, userId, id, ct) is { } feed ? feed.Title ?? feed.Url : null;
        if (name is null || !await lane.InWriteTransactionAsync(c => SubscriptionWrites.Unsubscribe(c, userId, id), ct))
        {
            return NotFound();
        }
        Message = $"Deleted “{name}”.";
        return Request.WantsJson() ? new JsonResult(new { feedId = id, deleted = true }) : Redirect("/");
    }
}
