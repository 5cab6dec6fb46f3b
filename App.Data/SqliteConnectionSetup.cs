using System.Data.Common;
using System.Diagnostics;
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

    private const int BusyTimeoutMs = 5000;

    // How long a writer that found the write lock taken waits before it tries again.
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(1);

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

    /// <summary>A connection outside EF Core (kept open by its owner) with the same per-connection settings.</summary>
    public static SqliteConnection OpenRaw(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// BEGIN IMMEDIATE on a raw connection, waiting for the write lock with a flat retry instead of
    /// SQLite's busy handler. That handler sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries, so a
    /// writer that lost a few times sleeps far longer than the other process's queue transaction
    /// (a fraction of a millisecond to a few) holds the lock: with several worker processes most
    /// time went to those sleeps. Here a writer tries again every <see cref="RetryPause"/>, without
    /// spinning (on two cores a spinning waiter takes the CPU from the holder; measured no faster),
    /// and gives up with SQLITE_BUSY after the usual busy timeout. Use with a plain
    /// <c>COMMIT</c>/<c>ROLLBACK</c> command, not a <see cref="SqliteTransaction"/>.
    /// </summary>
    public static void BeginImmediate(SqliteConnection connection)
    {
        var db = connection.Handle!;
        // Microsoft.Data.Sqlite would answer SQLITE_BUSY with 150 ms sleeps of its own, so BEGIN
        // goes to SQLite directly; with the busy handler off for it, BUSY comes back at once.
        SQLitePCL.raw.sqlite3_busy_timeout(db, 0);
        try
        {
            var start = Stopwatch.GetTimestamp();
            while (true)
            {
                var rc = SQLitePCL.raw.sqlite3_exec(db, "BEGIN IMMEDIATE");
                if (rc == SQLitePCL.raw.SQLITE_OK)
                {
                    return;
                }
                var waited = Stopwatch.GetElapsedTime(start);
                if ((rc & 0xff) != SQLitePCL.raw.SQLITE_BUSY || waited.TotalMilliseconds >= BusyTimeoutMs)
                {
                    SqliteException.ThrowExceptionForRC(rc, db);
                }
                Thread.Sleep(RetryPause);
            }
        }
        finally
        {
            SQLitePCL.raw.sqlite3_busy_timeout(db, BusyTimeoutMs);
        }
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
