using System.Collections.Concurrent;
using App.Data.Postgres;
using App.Data.Queue;
using App.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Data.Writes;

/// <summary>
/// The process's lane for its hot writes, used by the queue and by feed and account code alike:
/// kept-open <see cref="WriteConnection"/>s with prepared statements.
/// On SQLite it is one connection and a gate, so that this process's writers take turns: two
/// connections of one process contending for SQLite's write lock meet its busy handler, which
/// sleeps for whole milliseconds; queueing here instead keeps a worker's claims and completions,
/// or a web's grouped subscriptions, back to back. Other processes still wait through the busy
/// handler (SqliteBusyWait). PostgreSQL has no single write lock: there the lane keeps a
/// connection per concurrent writer and no gate.
/// </summary>
public sealed class WriteLane : IDisposable
{
    private readonly IDbContextFactory<AppDbContext> _contexts;
    private readonly NpgsqlDataSource? _dataSource;
    private readonly SemaphoreSlim? _gate;
    private readonly ConcurrentBag<WriteConnection> _idle = [];
    private WriteConnection? _sqlite;

    /// <param name="contexts">The app's contexts: the lane writes to their database.</param>
    /// <param name="dataSource">PostgreSQL's pool, when the contexts are on PostgreSQL.</param>
    public WriteLane(IDbContextFactory<AppDbContext> contexts, NpgsqlDataSource? dataSource = null)
    {
        _contexts = contexts;
        _dataSource = dataSource;
        using var db = contexts.CreateDbContext();
        Engine = db.Engine;
        if (Engine == DatabaseEngine.Postgres && dataSource is null)
        {
            throw new ArgumentException("A lane on PostgreSQL needs the data source its contexts use.", nameof(dataSource));
        }
        _gate = Engine == DatabaseEngine.Sqlite ? new SemaphoreSlim(1, 1) : null;
        Notifications = dataSource is null ? null : new JobNotifications(dataSource);
    }

    /// <summary>The engine the lane writes to.</summary>
    public DatabaseEngine Engine { get; }

    /// <summary>On PostgreSQL, how this process's enqueues wake idle workers; null on SQLite (workers watch the file).</summary>
    internal JobNotifications? Notifications { get; }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction (on SQLite BEGIN IMMEDIATE) on a
    /// connection of the lane and commits it; an exception rolls it back.
    /// </summary>
    public async Task<T> InWriteTransactionAsync<T>(Func<WriteConnection, T> work, CancellationToken ct = default)
    {
        if (_gate is null)
        {
            return WithConnection(c => c.InWriteTransaction(work));
        }
        await _gate.WaitAsync(ct);
        try
        {
            return Sqlite.InWriteTransaction(work);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a connection of the lane to itself, synchronously (for a
    /// writer thread): the work may read outside a transaction and then call
    /// <see cref="WriteConnection.InWriteTransaction"/>.
    /// </summary>
    internal T Exclusive<T>(Func<WriteConnection, T> work)
    {
        if (_gate is null)
        {
            return WithConnection(work);
        }
        _gate.Wait();
        try
        {
            return work(Sqlite);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits for this process's turn to write through EF Core; dispose the result after the
    /// transaction. For units of work that open their own transaction on a context. On
    /// PostgreSQL every writer has its turn at once.
    /// </summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (_gate is null)
        {
            return NoTurn.Instance;
        }
        await _gate.WaitAsync(ct);
        return new Turn(_gate);
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose()
    {
        _gate?.Wait();
        try
        {
            _sqlite?.Close();
            _sqlite = null;
            while (_idle.TryTake(out var connection))
            {
                connection.Close();
            }
        }
        finally
        {
            _gate?.Release();
        }
    }

    // Opened on first use: a web process only needs it once someone subscribes.
    private WriteConnection Sqlite => _sqlite ??= NewSqliteConnection();

    private SqliteWriteConnection NewSqliteConnection()
    {
        using var db = _contexts.CreateDbContext();
        return new SqliteWriteConnection(db.Database.GetConnectionString()!, SqliteConnectionSetup.Of(db));
    }

    private T WithConnection<T>(Func<WriteConnection, T> work)
    {
        var connection = _idle.TryTake(out var idle) ? idle : new PostgresWriteConnection(_dataSource!);
        try
        {
            return work(connection);
        }
        finally
        {
            _idle.Add(connection);
        }
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

    private sealed class NoTurn : IDisposable
    {
        public static readonly NoTurn Instance = new();

        public void Dispose()
        {
        }
    }
}
