using App.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Writes;

/// <summary>
/// The process's one lane for writing to the SQLite file, used by the queue and by feed and account
/// code alike: a kept-open <see cref="WriteConnection"/> with prepared statements, and a gate so
/// that this process's writers take turns. Two connections of one process contending for SQLite's
/// write lock meet its busy handler, which sleeps for whole milliseconds; queueing here instead
/// keeps a worker's claims and completions, or a web's grouped subscriptions, back to back. Other
/// processes still wait through the busy handler (SqliteBusyWait).
/// </summary>
public sealed class WriteLane(IDbContextFactory<AppDbContext> contexts) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WriteConnection? _connection;

    /// <summary>
    /// Runs <paramref name="work"/> in one BEGIN IMMEDIATE transaction on the lane's connection and
    /// commits it; an exception rolls it back.
    /// </summary>
    public async Task<T> InWriteTransactionAsync<T>(Func<WriteConnection, T> work, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return Connection.InWriteTransaction(work);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the lane to itself, synchronously (for a writer thread):
    /// the work may read outside a transaction and then call <see cref="WriteConnection.InWriteTransaction"/>.
    /// </summary>
    internal T Exclusive<T>(Func<WriteConnection, T> work)
    {
        _gate.Wait();
        try
        {
            return work(Connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits for this process's turn to write through EF Core; dispose the result after the
    /// transaction. For units of work that open their own transaction on a context.
    /// </summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Turn(_gate);
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _connection?.Close();
            _connection = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    // Opened on first use: a web process only needs it once someone subscribes.
    private WriteConnection Connection => _connection ??= NewConnection();

    private WriteConnection NewConnection()
    {
        using var db = contexts.CreateDbContext();
        return new WriteConnection(db.Database.GetConnectionString()!, SqliteConnectionSetup.Of(db));
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
