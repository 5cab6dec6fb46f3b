using App.Data;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>
/// <c>/items/{id}</c>: one item to read. Opening it marks it read, as a reader expects; the
/// write is idempotent (the first read time is kept), so a reload or prefetch does no harm.
/// </summary>
public sealed class ItemViewModel(IDbContextFactory<AppDbContext> contexts, TimeProvider time) : PageModel
{
    public ItemDetail Item { get; private set; } = null!;

    /// <summary>Where "back", "mark unread" and "u" lead: the feed page, at this item.</summary>
    public string FeedPlace => $"/feeds/{Item.FeedId}#item-{Item.Id}";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await ItemQueries.DetailAsync(db, id, ct) is not { } item)
        {
            return NotFound();
        }
        if (!item.IsRead)
        {
            var now = time.GetUtcNow().UtcDateTime;
            await ItemReadState.SetAsync(db, id, read: true, now, ct);
            item = item with { ReadAt = now };
        }
        Item = item;
        return Page();
    }

    /// <summary>Marks the item read or unread; a script gets JSON, a form post goes back to <paramref name="returnUrl"/>.</summary>
    public async Task<IActionResult> OnPostReadAsync(long id, bool read, string? returnUrl, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await ItemReadState.SetAsync(db, id, read, time.GetUtcNow().UtcDateTime, ct))
        {
            return NotFound();
        }
        if (Request.WantsJson())
        {
            return new JsonResult(new { id, read });
        }
        return Redirect(Url.IsLocalUrl(returnUrl) ? returnUrl : $"/items/{id}");
    }
}
