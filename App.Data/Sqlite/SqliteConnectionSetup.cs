using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace App.Data.Sqlite;

/// <summary>
/// Every SQLite specific in one place. Per connection: a wait for the write lock
/// (<see cref="SqliteBusyWait"/>: writers queue instead of failing), synchronous=NORMAL (durable
/// enough in WAL, far fewer fsyncs) and foreign keys.
/// WAL itself is a property of the file, set once by <see cref="DatabaseSetup"/>.
/// A page limit (<c>PRAGMA max_page_count</c>, configured as <c>Sqlite:MaxPageCount</c>) caps the
/// file as a small disk would: writes past it fail with SQLITE_FULL. It exists to test a full disk.
/// EF Core's transactions on SQLite are BEGIN IMMEDIATE: a read-then-write transaction takes the
/// write lock up front, because a deferred one that upgrades in WAL mode gets SQLITE_BUSY at once.
/// </summary>
public sealed class SqliteConnectionSetup : DbConnectionInterceptor, IDbTransactionInterceptor
{
    // One statement per PRAGMA, none of which takes a lock: a write after another statement in one
    // command text can be lost silently by Microsoft.Data.Sqlite under contention. No busy_timeout:
    // the wait for a lock is SqliteBusyWait's, installed after these.
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";

    // Off: a commit never copies the WAL into the database file itself (WalCheckpointer does, in the background).
    private const string NoCheckpointOnCommit = " PRAGMA wal_autocheckpoint=0;";

    private static readonly SqliteConnectionSetup Instance = new(null, checkpointOnCommit: true);

    private readonly string _pragmas;

    private SqliteConnectionSetup(int? maxPageCount, bool checkpointOnCommit) =>
        _pragmas = (maxPageCount is { } pages ? $"{Pragmas} PRAGMA max_page_count={pages};" : Pragmas)
            + (checkpointOnCommit ? "" : NoCheckpointOnCommit);

    /// <summary>
    /// Configures EF Core for the app's SQLite file, capped at <paramref name="maxPageCount"/> pages when given.
    /// Without <paramref name="checkpointOnCommit"/>, a commit that takes the WAL past 1,000 pages does not
    /// checkpoint it on the committing thread (SQLite's default), and <see cref="WalCheckpointer"/> must run.
    /// </summary>
    /// <remarks>
    /// EF Core's own error entries for a failed command or save are lowered to Debug: the exception
    /// reaches the code that handles it, which logs it once (the runner, the web's error handler),
    /// or, for a full disk, <see cref="DiskFullState"/> once a minute; EF Core logged two entries
    /// with the SQL per failed write on top, so a full disk printed two stack traces per request.
    /// <para>
    /// So is the warning that a migration runs a command outside its transaction: on SQLite the
    /// only such commands are the <c>PRAGMA foreign_keys</c> EF Core itself puts around a table
    /// rebuild (dotnet/efcore#35871), a setting of the connection that leaves nothing half-done in
    /// the file, while the rebuild stays in the transaction. A fresh install printed it twice at
    /// its first start. A test holds the migrations to it.
    /// </para>
    /// </remarks>
    public static DbContextOptionsBuilder Apply(
        DbContextOptionsBuilder options, string connectionString, int? maxPageCount = null, bool checkpointOnCommit = true) =>
        options.UseSqlite(BoundedRetries(connectionString))
            .AddInterceptors(maxPageCount is null && checkpointOnCommit ? Instance : new SqliteConnectionSetup(maxPageCount, checkpointOnCommit))
            .ConfigureWarnings(w => w.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug)));

    /// <summary>The setup <paramref name="db"/> was configured with: raw connections beside it get the same settings.</summary>
    public static SqliteConnectionSetup Of(DbContext db) =>
        db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<SqliteConnectionSetup>().FirstOrDefault()
        ?? Instance;

    /// <summary>
    /// Microsoft.Data.Sqlite retries a statement that got SQLITE_BUSY until its command timeout
    /// (the connection's Default Timeout, 30 s unless set; it also covers the implicit BEGIN of
    /// BeginTransaction), and each retry waits the whole <see cref="SqliteBusyWait"/> again: a
    /// busy write blocked its thread for 35 s. With 1 s (the least it takes; 0 means for ever) a
    /// write gives up after one busy wait, at most 5 s and one 150 ms retry later.
    /// </summary>
    private static string BoundedRetries(string connectionString) =>
        new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 1 }.ToString();

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
    public static SqliteConnection OpenRaw(string connectionString) => Instance.Open(connectionString);

    /// <summary>A connection outside EF Core with this setup's settings (its page limit included).</summary>
    public SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(BoundedRetries(connectionString));
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = _pragmas;
        cmd.ExecuteNonQuery();
        SqliteBusyWait.Install(connection);
        return connection;
    }

    /// <summary>
    /// BEGIN IMMEDIATE on a raw connection, waiting for the write lock through
    /// <see cref="SqliteBusyWait"/>. Issued to SQLite directly: Microsoft.Data.Sqlite would answer a
    /// final SQLITE_BUSY with 150 ms sleeps of its own. Use with a plain <c>COMMIT</c>/<c>ROLLBACK</c>
    /// command, not a <see cref="SqliteTransaction"/>.
    /// </summary>
    public static void BeginImmediate(SqliteConnection connection)
    {
        var rc = SQLitePCL.raw.sqlite3_exec(connection.Handle!, "BEGIN IMMEDIATE");
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
        LockWaiters.Clear(connection);
        LockHolders.Began(connection);
    }

    /// <summary>An EF Core transaction began (BEGIN IMMEDIATE, so it has the lock): this process no longer waits.</summary>
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        LockWaiters.Clear((SqliteConnection)connection);
        LockHolders.Began((SqliteConnection)connection);
        return result;
    }

    /// <inheritdoc cref="TransactionStarted"/>
    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        LockWaiters.Clear((SqliteConnection)connection);
        LockHolders.Began((SqliteConnection)connection);
        return ValueTask.FromResult(result);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = _pragmas;
        cmd.ExecuteNonQuery();
        SqliteBusyWait.Install((SqliteConnection)connection);
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = _pragmas;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        SqliteBusyWait.Install((SqliteConnection)connection);
    }
}
