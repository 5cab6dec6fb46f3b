using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace App.Data.Sqlite;

/// <summary>
/// Copies the WAL back into the database file off the request path, for a process whose commits
/// do not (the web's: <see cref="SqliteConnectionSetup.Apply"/> without checkpointOnCommit).
/// SQLite's default has the commit that takes the WAL past 1,000 pages checkpoint it on the
/// committing thread: up to the whole WAL copied, and two fsyncs, inside whichever request
/// happened to commit then. With four workers refreshing, the web's slowest subscribes of a run
/// were such commits (docs/benchmarks.md). Workers still checkpoint on commit; a passive
/// checkpoint never waits for a writer or a reader, and one that meets another process's
/// checkpoint is skipped until the next tick.
/// </summary>
public sealed class WalCheckpointer(string connectionString, ILogger<WalCheckpointer> log) : BackgroundService
{
    /// <summary>
    /// How often: a checkpoint with nothing new in the WAL reads its header and returns, so an
    /// idle web costs a statement a second, and a busy one's WAL grows by a second of its writes.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Its own thread: a checkpoint is synchronous file I/O that may take a while on a slow disk.
        await Task.Yield();
        SqliteConnection? connection = null;
        try
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                connection ??= SqliteConnectionSetup.OpenRaw(connectionString);
                if (!TryCheckpoint(connection))
                {
                    connection.Dispose();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>
    /// One passive checkpoint: returns how many WAL frames the database file now holds of how many
    /// there are, or null when another process was checkpointing.
    /// </summary>
    public static (long Checkpointed, long InWal)? Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = command.ExecuteReader();
        reader.Read();
        // (busy, frames in the WAL, frames checkpointed); busy is 1 when another checkpoint held the lock.
        return reader.GetInt64(0) != 0 ? null : (reader.GetInt64(2), reader.GetInt64(1));
    }

    private bool TryCheckpoint(SqliteConnection connection)
    {
        try
        {
            Checkpoint(connection);
            if (_failing)
            {
                log.LogInformation("WAL checkpoints work again");
                _failing = false;
            }
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED)
        {
            return true;
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            // Once per outage: a full disk or a missing file fails every second until it is fixed.
            if (!_failing)
            {
                log.LogWarning("A WAL checkpoint failed, retried every {Interval}: {Error}", Interval, e.Message);
                _failing = true;
            }
            return false;
        }
    }
}
