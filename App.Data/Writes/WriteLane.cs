using System.Collections.Concurrent;
using System.Diagnostics;
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
/// handler (SqliteBusyWait), and would win the lock only by chance in the microseconds between
/// this lane's transactions: when the lane takes turns back to back and another process is
/// waiting (<see cref="LockWaiters"/>), it stands aside at the start of a turn, at most once per
/// <see cref="HoldBeforeStandingAside"/>, until each waiter has had a try. PostgreSQL has no
/// single write lock: there the lane keeps a connection per concurrent writer and no gate.
/// </summary>
public sealed class WriteLane : IDisposable
{
    /// <summary>
    /// How long the lane keeps its turns after standing aside before it may again: bounds what
    /// waiters cost a busy lane (about one sleep of a waiter's, 1-5 ms, per this) and what a busy
    /// lane costs a waiter (this plus the transaction under way).
    /// </summary>
    internal static readonly TimeSpan HoldBeforeStandingAside = TimeSpan.FromMilliseconds(10);

    private static readonly long HoldTicks = (long)(HoldBeforeStandingAside.TotalSeconds * Stopwatch.Frequency);

    // A turn this long after the last one is not back to back: the lock was free meanwhile, and a
    // lane that writes now and then (the web's) does not stand aside for workers that wait for
    // each other.
    private static readonly long IdleTicks = Stopwatch.Frequency * 5 / 1000;

    // A waiter sleeps 1 ms between tries: the lane looks again as often.
    private static readonly TimeSpan StandAsidePause = TimeSpan.FromMilliseconds(1);

    private readonly IDbContextFactory<AppDbContext> _contexts;
    private readonly NpgsqlDataSource? _dataSource;
    private readonly SemaphoreSlim? _gate;
    private readonly ConcurrentBag<WriteConnection> _idle = [];
    private readonly LockWaiters? _waiters;
    private readonly long[] _waiting = new long[LockWaiters.SlotCount];
    private long _holdUntil;
    private long _lastTurnEnded;
    private bool _disposed;
    private WriteConnection? _sqlite;

    /// <param name="contexts">The app's contexts: the lane writes to their database.</param>
    /// <param name="dataSource">PostgreSQL's pool, when the contexts are on PostgreSQL.</param>
    /// <param name="priority">A worker's lane is a background one: on SQLite, this process's writers let the web's waiting writers have the lock first.</param>
    public WriteLane(IDbContextFactory<AppDbContext> contexts, NpgsqlDataSource? dataSource = null, WriterPriority priority = WriterPriority.Interactive)
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
        _waiters = Engine == DatabaseEngine.Sqlite ? LockWaiters.Open(db.Database.GetConnectionString()!, priority) : null;
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
            await BeforeTurnAsync(ct);
            return Sqlite.InWriteTransaction(work);
        }
        finally
        {
            EndTurn();
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
            BeforeTurn();
            return work(Sqlite);
        }
        finally
        {
            EndTurn();
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
        try
        {
            await BeforeTurnAsync(ct);
        }
        catch
        {
            EndTurn();
            throw;
        }
        return new Turn(this);
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose()
    {
        _gate?.Wait();
        try
        {
            _sqlite?.Close();
            _sqlite = null;
            if (!_disposed)
            {
                _waiters?.Dispose();
            }
            _disposed = true;
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

    // At the start of a turn, under the gate: a background lane lets a waiting interactive writer
    // have the lock first; a lane writing back to back stands aside for any other process's waiter.
    private void BeforeTurn()
    {
        if (_waiters is null)
        {
            return;
        }
        if (_waiters.InteractiveWaiting(_waiting))
        {
            _waiters.YieldTo(_waiting);
        }
        else if (OthersWaiting())
        {
            StandAside();
        }
    }

    private async Task BeforeTurnAsync(CancellationToken ct)
    {
        if (_waiters is null)
        {
            return;
        }
        if (_waiters.InteractiveWaiting(_waiting))
        {
            var started = Stopwatch.GetTimestamp();
            while (!_waiters.InteractiveServed(_waiting) && Stopwatch.GetElapsedTime(started) < LockWaiters.YieldAtMost)
            {
                await Task.Delay(StandAsidePause, ct);
            }
        }
        else if (OthersWaiting())
        {
            await StandAsideAsync(ct);
        }
    }

    // Reads the shared map's slots only when the lane may stand aside.
    private bool OthersWaiting()
    {
        var now = Stopwatch.GetTimestamp();
        return now >= _holdUntil && now - _lastTurnEnded <= IdleTicks && _waiters!.OthersWaiting(_waiting);
    }

    private void EndTurn()
    {
        _lastTurnEnded = Stopwatch.GetTimestamp();
        _gate!.Release();
    }

    // The lock stays free until every waiter seen has tried again (and, unless a third took the lock
    // first, got it), cleared its stamp or stopped counting (LockWaiters.FreshFor, so a waiter that
    // crashed costs one such wait).
    private void StandAside()
    {
        while (!_waiters!.AllMovedOn(_waiting))
        {
            Thread.Sleep(StandAsidePause);
        }
        _holdUntil = Stopwatch.GetTimestamp() + HoldTicks;
    }

    private async Task StandAsideAsync(CancellationToken ct)
    {
        while (!_waiters!.AllMovedOn(_waiting))
        {
            await Task.Delay(StandAsidePause, ct);
        }
        _holdUntil = Stopwatch.GetTimestamp() + HoldTicks;
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

    private sealed class Turn(WriteLane lane) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                lane.EndTurn();
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
