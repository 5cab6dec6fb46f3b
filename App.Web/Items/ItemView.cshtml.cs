using App.Data;
using App.Data.Writes;
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
public sealed class ItemViewModel(IDbContextFactory<AppDbContext> contexts, WriteLane lane, TimeProvider time) : PageModel
{
    public ItemDetail Item { get; private set; } = null!;

    /// <summary>
    /// Where "back", "mark unread" and "u" lead: the river the item was opened from (<c>from</c>,
    /// a local address), else the feed page, at this item.
    /// </summary>
    public string FeedPlace => (Url.IsLocalUrl(From) ? From : $"/feeds/{Item.FeedId}") + $"#item-{Item.Id}";

    /// <summary>The river the item was opened from, kept on newer/older links.</summary>
    [FromQuery(Name = "from")]
    public string? From { get; set; }

    /// <summary>An item link that keeps <see cref="From"/>.</summary>
    public string ItemLink(long id) => Url.IsLocalUrl(From) ? $"/items/{id}?from={Uri.EscapeDataString(From!)}" : $"/items/{id}";

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
            await ItemReadState.SetReadAsync(db, lane, userId, id, read: true, ct);
            item = item with { IsRead = true };
        }
        Item = item;
        return Page();
    }

    /// <summary>Marks the item read or unread; a script gets JSON, a form post goes back to <paramref name="returnUrl"/>.</summary>
    public async Task<IActionResult> OnPostReadAsync(long id, bool read, string? returnUrl, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await ItemReadState.SetReadAsync(db, lane, User.UserId(), id, read, ct))
        {
            return NotFound();
        }
        if (Request.WantsJson())
        {
            return new JsonResult(new { id, read });
        }
        return Redirect(Url.IsLocalUrl(returnUrl) ? returnUrl : $"/items/{id}");
    }

    /// <summary>Stars or unstars the item; a script gets JSON, a form post goes back to <paramref name="returnUrl"/>.</summary>
    public async Task<IActionResult> OnPostStarAsync(long id, bool starred, string? returnUrl, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await ItemReadState.SetStarredAsync(db, lane, User.UserId(), id, starred, time.GetUtcNow().UtcDateTime, ct))
        {
            return NotFound();
        }
        if (Request.WantsJson())
        {
            return new JsonResult(new { id, starred });
        }
        return Redirect(Url.IsLocalUrl(returnUrl) ? returnUrl : $"/items/{id}");
    }
}
