using System.Data.Common;
using System.Diagnostics;
using App.Data.Writes;
using Npgsql;

namespace App.Data.Postgres;

/// <summary>
/// One PostgreSQL connection of <see cref="WriteLane"/>'s pool, kept open with its statements
/// prepared on the server. PostgreSQL has no single write lock: the lane keeps as many of these
/// as it has writers at once, and hands each to one writer at a time.
/// </summary>
internal sealed class PostgresWriteConnection(NpgsqlDataSource dataSource) : WriteConnection
{
    private readonly Dictionary<string, NpgsqlCommand> _prepared = [];
    private NpgsqlConnection? _connection;

    public override DatabaseEngine Engine => DatabaseEngine.Postgres;

    internal override T InWriteTransaction<T>(Func<WriteConnection, T> work)
    {
        Statement("BEGIN").ExecuteNonQuery();
        var began = Stopwatch.GetTimestamp();
        try
        {
            var result = work(this);
            Statement("COMMIT").ExecuteNonQuery();
            LastLockHeld = Stopwatch.GetElapsedTime(began);
            return result;
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    public override DbCommand Statement(string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = Open().CreateCommand();
            command.CommandText = sql;
            _prepared[sql] = command;
        }
        command.Parameters.Clear();
        return command;
    }

    /// <summary>
    /// After a failed statement: rolls the transaction back, or, when the connection itself broke,
    /// drops it so that the next use opens a new one.
    /// </summary>
    private void Abandon()
    {
        try
        {
            if (_connection is { State: System.Data.ConnectionState.Open })
            {
                Statement("ROLLBACK").ExecuteNonQuery();
                return;
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection is gone: closed below.
        }
        Close();
    }

    private NpgsqlConnection Open()
    {
        if (_connection is not { State: System.Data.ConnectionState.Open })
        {
            Close();
            _connection = dataSource.OpenConnection();
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
