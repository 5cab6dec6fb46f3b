using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Retention;

/// <summary>
/// How much disk the database takes: on SQLite the file (its pages, free ones included) and the
/// WAL beside it; on PostgreSQL the database's size as the server counts it (free space inside its
/// tables is not known without reading them, and the WAL is the server's, shared by all databases).
/// </summary>
public sealed record DatabaseSize(long FileBytes, long FreeBytes, long WalBytes)
{
    public static async Task<DatabaseSize> ReadAsync(AppDbContext db, CancellationToken ct)
    {
        if (db.Engine == DatabaseEngine.Postgres)
        {
            var size = await db.Database.SqlQueryRaw<long>("""SELECT pg_database_size(current_database()) AS "Value" """).SingleAsync(ct);
            return new DatabaseSize(size, 0, 0);
        }
        var pageSize = await db.Database.SqlQueryRaw<long>("""SELECT "page_size" AS "Value" FROM pragma_page_size()""").SingleAsync(ct);
        var pages = await db.Database.SqlQueryRaw<long>("""SELECT "page_count" AS "Value" FROM pragma_page_count()""").SingleAsync(ct);
        var free = await db.Database.SqlQueryRaw<long>("""SELECT "freelist_count" AS "Value" FROM pragma_freelist_count()""").SingleAsync(ct);
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var wal = new FileInfo(file + "-wal");
        return new DatabaseSize(pages * pageSize, free * pageSize, wal.Exists ? wal.Length : 0);
    }
}
