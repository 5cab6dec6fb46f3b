using App.Data;
using App.Data.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>One item's read mark or star, as the pages and <c>/api/items</c> change it: false (a 404) for an item that is not the user's.</summary>
public static class ItemReadState
{
    public static async Task<bool> SetReadAsync(AppDbContext db, long userId, long itemId, bool read, CancellationToken ct)
    {
        if (!await db.ItemsOf(userId).AnyAsync(i => i.Id == itemId, ct))
        {
            return false;
        }
        await ItemMarks.SetReadAsync(db, userId, [itemId], read, ct);
        return true;
    }

    public static async Task<bool> SetStarredAsync(
        AppDbContext db, long userId, long itemId, bool starred, DateTime now, CancellationToken ct)
    {
        if (!await db.ItemsOf(userId).AnyAsync(i => i.Id == itemId, ct))
        {
            return false;
        }
        await ItemMarks.SetStarredAsync(db, userId, [itemId], starred, now, ct);
        return true;
    }
}
