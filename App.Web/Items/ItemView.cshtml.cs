using App.Data;
using App.Web.Accounts;
using App.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>
/// <c>/items/{id}</c>: one item to read. Opening it marks it read, as a reader expects; the
/// write is idempotent (a read item stays read), so a reload or prefetch does no harm.
/// </summary>
public sealed class ItemViewModel(IDbContextFactory<AppDbContext> contexts) : PageModel
{
    public ItemDetail Item { get; private set; } = null!;

    /// <summary>Where "back", "mark unread" and "u" lead: the feed page, at this item.</summary>
    public string FeedPlace => $"/feeds/{Item.FeedId}#item-{Item.Id}";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var userId = User.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await ItemQueries.DetailAsync(db, userId, id, ct) is not { } item)
        {
            return NotFound();
        }
        if (!item.IsRead)
        {
            await ItemReadState.SetReadAsync(db, userId, id, read: true, ct);
            item = item with { IsRead = true };
        }
        Item = item;
        return Page();
    }

    /// <summary>Marks the item read or unread; a script gets JSON, a form post goes back to <paramref name="returnUrl"/>.</summary>
    public async Task<IActionResult> OnPostReadAsync(long id, bool read, string? returnUrl, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await ItemReadState.SetReadAsync(db, User.UserId(), id, read, ct))
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
