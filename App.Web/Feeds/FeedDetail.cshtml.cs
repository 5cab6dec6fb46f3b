using App.Data;
using App.Data.Queue;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary><c>/feeds/{id}</c>: a feed's items, newest first, a page at a time; and "refresh now".</summary>
public sealed class FeedDetailModel(IDbContextFactory<AppDbContext> contexts, JobQueue queue) : PageModel
{
    public const int PageSize = FeedQueries.DefaultItemLimit;

    public FeedResponse Feed { get; private set; } = null!;

    public IReadOnlyList<FeedItemResponse> Items { get; private set; } = [];

    /// <summary>Whether this is the newest page (no <c>before</c> given).</summary>
    public bool IsNewest { get; private set; }

    /// <summary>The <c>before</c> of the next, older page; null when there is none.</summary>
    public long? OlderBefore { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, long? before, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedQueries.FindAsync(db, id, ct) is not { } feed)
        {
            return NotFound();
        }
        // One item more than shown tells whether an older page exists.
        var items = await FeedQueries.ItemsAsync(db, id, before, PageSize + 1, ct);
        Feed = feed;
        Items = items.Count > PageSize ? items[..PageSize] : items;
        OlderBefore = items.Count > PageSize ? Items[^1].Id : null;
        IsNewest = before is null;
        return Page();
    }

    /// <summary>Asks for a fetch now (or joins the one already waiting) and shows its progress.</summary>
    public async Task<IActionResult> OnPostRefreshAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FeedSubscriptions.RefreshAsync(db, queue, id, ct) is { } jobId
            ? Redirect($"/jobs/{jobId}")
            : NotFound();
    }
}
