using App.Data;
using App.Data.Accounts;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>
/// One item's read mark or star, as the pages and <c>/api/items</c> change it: false (a 404) for an
/// item that is not the user's. The write waits for the process's turn on the write lane.
/// </summary>
public static class ItemReadState
{
    public static async Task<bool> SetReadAsync(AppDbContext db, WriteLane lane, long userId, long itemId, bool read, CancellationToken ct)
    {
        if (!await db.ItemsOf(userId).AnyAsync(i => i.Id == itemId, ct))
        {
            return false;
        }
        using var turn = await lane.EnterAsync(ct);
        await ItemMarks.SetReadAsync(db, userId, [itemId], read, ct);
        return true;
    }

    public static async Task<bool> SetStarredAsync(
        AppDbContext db, WriteLane lane, long userId, long itemId, bool starred, DateTime now, CancellationToken ct)
    {
        if (!await db.ItemsOf(userId).AnyAsync(i => i.Id == itemId, ct))
        {
            return false;
        }
        using var turn = await lane.EnterAsync(ct);
        await ItemMarks.SetStarredAsync(db, userId, [itemId], starred, now, ct);
        return true;
    }
}
