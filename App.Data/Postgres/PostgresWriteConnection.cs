using System.Data.Common;
using System.Diagnostics;
using App.Data.Writes;
using Npgsql;

namespace App.Data.Postgres;

/// <summary>
/// One PostgreSQL connection of <see cref="WriteLane"/>'s pool, kept open with its statements
/// prepared on the server (Npgsql's automatic preparation). PostgreSQL has no single write lock: the lane keeps as many of these
/// as it has writers at once, and hands each to one writer at a time.
/// </summary>
internal sealed class PostgresWriteConnection(NpgsqlDataSource dataSource) : WriteConnection
{
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

    /// <summary>
    /// Runs <paramref name="work"/>'s batch without BEGIN: the statements of one batch run in one
    /// implicit transaction (Npgsql sends a single Sync after them), committed when the last one
    /// ends, or rolled back as a whole when one fails. One round trip where BEGIN … COMMIT takes
    /// one more for the COMMIT.
    /// </summary>
    internal T InOneRoundTrip<T>(Func<NpgsqlBatch, T> work)
    {
        var began = Stopwatch.GetTimestamp();
        try
        {
            using var batch = new NpgsqlBatch(Open());
            var result = work(batch);
            LastLockHeld = Stopwatch.GetElapsedTime(began);
            return result;
        }
        catch (Exception e) when (e is NpgsqlException { IsTransient: true } or InvalidOperationException or IOException)
        {
            Close();
            throw;
        }
    }

    /// <remarks>
    /// A new command each time: Npgsql prepares a statement on the connection by its text after
    /// its second use (<see cref="PostgresSetup.DataSource"/>), and a prepared command keeps the
    /// parameter objects it was first run with, so one command cleared and bound again sent the
    /// previous call's values.
    /// </remarks>
    public override DbCommand Statement(string sql) => new NpgsqlCommand(sql, Open());

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
        _connection?.Dispose();
        _connection = null;
    }
}
