using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Retention;

/// <summary>How much disk the database takes: the file (its pages, free ones included) and the WAL beside it.</summary>
public sealed record DatabaseSize(long FileBytes, long FreeBytes, long WalBytes)
{
    public static async Task<DatabaseSize> ReadAsync(AppDbContext db, CancellationToken ct)
    {
        var pageSize = await db.Database.SqlQueryRaw<long>("""SELECT "page_size" AS "Value" FROM pragma_page_size()""").SingleAsync(ct);
        var pages = await db.Database.SqlQueryRaw<long>("""SELECT "page_count" AS "Value" FROM pragma_page_count()""").SingleAsync(ct);
        var free = await db.Database.SqlQueryRaw<long>("""SELECT "freelist_count" AS "Value" FROM pragma_freelist_count()""").SingleAsync(ct);
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var wal = new FileInfo(file + "-wal");
        return new DatabaseSize(pages * pageSize, free * pageSize, wal.Exists ? wal.Length : 0);
    }
}
