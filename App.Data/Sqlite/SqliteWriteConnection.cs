using System.Data.Common;
using System.Diagnostics;
using App.Data.Writes;
using Microsoft.Data.Sqlite;

namespace App.Data.Sqlite;

/// <summary>
/// The process's one SQLite connection for its hot writes: open for the life of the process, each
/// statement prepared once. Against a pooled EF context per call this saves the context, the
/// transaction object and the statement preparation on every pass. <see cref="WriteLane"/> hands
/// it out only while holding its gate.
/// </summary>
internal sealed class SqliteWriteConnection : WriteConnection
{
    private readonly string _connectionString;
    private readonly SqliteConnectionSetup _setup;
    private readonly Dictionary<string, SqliteCommand> _prepared = [];
    private SqliteConnection? _connection;

    internal SqliteWriteConnection(string connectionString, SqliteConnectionSetup setup)
    {
        _connectionString = connectionString;
        _setup = setup;
    }

    public override DatabaseEngine Engine => DatabaseEngine.Sqlite;

    /// <summary>Runs <paramref name="work"/> in one BEGIN IMMEDIATE transaction and commits it; rolls back on an exception.</summary>
    internal override T InWriteTransaction<T>(Func<WriteConnection, T> work)
    {
        var connection = Open();
        SqliteConnectionSetup.BeginImmediate(connection);
        var locked = Stopwatch.GetTimestamp();
        try
        {
            var result = work(this);
            Statement("COMMIT").ExecuteNonQuery();
            LastLockHeld = Stopwatch.GetElapsedTime(locked);
            return result;
        }
        catch
        {
            if (!connection.Handle!.IsInvalid && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                Statement("ROLLBACK").ExecuteNonQuery();
            }
            throw;
        }
    }

    public override DbCommand Statement(string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = Open().CreateCommand();
            command.CommandText = sql;
            command.Prepare();
            _prepared[sql] = command;
        }
        command.Parameters.Clear();
        return command;
    }

    // A statement that changes many rows inside a transaction keeps a statement journal, and SQLite
    // moves it to a temporary file past 64 KiB: a pass of a busy worker (hundreds of completions and
    // claims) opened, wrote and unlinked one every few passes, a third of its writes to the kernel.
    // In memory it is a few hundred KiB at most for the lane's statements, which change bounded
    // batches; other connections keep the default, so a large sort elsewhere may still use a file.
    private const string TempStoreInMemory = "PRAGMA temp_store=MEMORY";

    private SqliteConnection Open()
    {
        if (_connection is null)
        {
            // Not pooled: the connection lives as long as the process's lane, and a test's temp file must not stay open in a pool after.
            var builder = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false };
            _connection = _setup.Open(builder.ToString());
            using var memory = _connection.CreateCommand();
            memory.CommandText = TempStoreInMemory;
            memory.ExecuteNonQuery();
        }
        return _connection;
    }

    internal override void Close()
    {
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }
        _prepared.Clear();
        _connection?.Dispose();
        _connection = null;
    }
}
