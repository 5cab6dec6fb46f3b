using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace App.Data;

/// <summary>
/// Every SQLite specific in one place. Per connection: a busy timeout (writers queue instead of
/// failing), synchronous=NORMAL (durable enough in WAL, far fewer fsyncs) and foreign keys.
/// WAL itself is a property of the file, set once by <see cref="DatabaseSetup"/>.
/// EF Core's transactions on SQLite are BEGIN IMMEDIATE: a read-then-write transaction takes the
/// write lock up front, because a deferred one that upgrades in WAL mode gets SQLITE_BUSY at once.
/// </summary>
public sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    // One statement per PRAGMA, none of which takes a lock: a write after another statement in one
    // command text can be lost silently by Microsoft.Data.Sqlite under contention.
    private const string Pragmas = "PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";

    private static readonly SqliteConnectionSetup Instance = new();

    /// <summary>Configures EF Core for the app's SQLite file.</summary>
    public static DbContextOptionsBuilder Apply(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString).AddInterceptors(Instance);

    /// <summary>The connection string with a relative file made absolute against <paramref name="root"/>, its folder created.</summary>
    public static string Resolve(string connectionString, string root)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            builder.DataSource = Path.GetFullPath(file, root);
            Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        }
        return builder.ToString();
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
