using System.Diagnostics;
using App.Data.Queue;
using App.Data.Sqlite;

namespace App.Worker.Queue;

/// <summary>
/// The worker's one writer for its hot path: a dedicated thread whose every pass commits, in one
/// transaction, the completions of jobs that finished with nothing else to write and the claims
/// for the slots they freed, each job type for its own (<see cref="JobQueue.CompleteAndClaim"/>). Finishing jobs hand
/// their slots straight to new ones, and a busy worker writes one transaction per pass however
/// many jobs finished meanwhile (a group commit). An idle worker pays no delay: a lone completion
/// is written at once.
/// </summary>
/// <remarks>
/// A thread of its own that blocks while idle, rather than an async loop: SQLite calls block
/// anyway, and a pass then costs no thread-pool hand-offs between the transaction and the jobs.
/// </remarks>
public sealed class ClaimLoop
{
    private const int MaxBatch = QueueOptions.MaxClaimAhead;
    private static readonly TimeSpan PauseAfterError = TimeSpan.FromMilliseconds(100);

    // A full disk does not clear in 100 ms: passes that cannot write are tried again once a second.
    private static readonly TimeSpan PauseAfterDiskFull = TimeSpan.FromSeconds(1);

    /// <summary>After a requested pass that wrote, how long the drained job types wait before they are asked again.</summary>
    public static readonly TimeSpan DefaultReaskGap = TimeSpan.FromMilliseconds(5);

    // The wake-up hears of every commit to the database, this worker's own included, so a busy
    // worker is asked to claim after each of its passes. Asking its drained types again every time
    // added a claim statement per type to every pass (a third of the no-op throughput, measured):
    // after a requested pass that wrote, they are asked again at most this often. A pass that wrote
    // nothing has no echo to hold off, so the next request after it is served at once: an idle
    // worker whose poll or wake-up found nothing (or a commit not visible yet) is not made to wait
    // when the job comes a moment later.
    private readonly long _reaskGap;

    private readonly JobQueue _queue;
    private readonly string _owner;
    private readonly Func<IReadOnlyDictionary<string, int>> _capacity;
    private readonly Action<IReadOnlyList<ClaimedJob>> _claimed;
    private readonly DiskFullState _diskFull;
    private readonly ILogger _log;
    private readonly object _lock = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _lock.
    private List<(Lease Lease, TaskCompletionSource<bool>? Done)> _finished = [];
    private bool _signalled;
    // Nothing is claimed before the runner's first pump (its start has registered the worker); the
    // first pass asks every type anyway, none being drained yet.
    private bool _claimRequested;
    private long _nextReask;
    private bool _stopping;

    // The loop thread's own: the job types whose last claim came back short, not asked for again
    // until someone says there may be work.
    private readonly HashSet<string> _drained = [];
    private double _passSeconds;
    private double _heldSeconds;

    /// <param name="capacity">How many more jobs of each type the worker can take now (running and claimed-ahead ones counted); types with none left out.</param>
    /// <param name="claimed">Receives every batch of newly claimed jobs, on the loop's thread.</param>
    /// <param name="diskFull">Told of a pass that met a full disk, which it logs once a minute instead of every pass.</param>
    /// <param name="reaskGap"><see cref="DefaultReaskGap"/> unless given (tests lengthen it, to tell "at once" from "after the gap" on a loaded machine).</param>
    public ClaimLoop(
        JobQueue queue, string owner, Func<IReadOnlyDictionary<string, int>> capacity, Action<IReadOnlyList<ClaimedJob>> claimed,
        DiskFullState diskFull, ILogger log, TimeSpan? reaskGap = null)
    {
        _reaskGap = (long)((reaskGap ?? DefaultReaskGap).TotalSeconds * Stopwatch.Frequency);
        _queue = queue;
        _owner = owner;
        _capacity = capacity;
        _claimed = claimed;
        _diskFull = diskFull;
        _log = log;
        new Thread(Run) { IsBackground = true, Name = "queue-claim-loop" }.Start();
    }

    /// <summary>How long a pass (waiting for the write lock included) takes, as a moving average.</summary>
    public TimeSpan PassTime => TimeSpan.FromSeconds(Volatile.Read(ref _passSeconds));

    /// <summary>
    /// How many passes' worth of time a pass spends per pass that holds the write lock: 1 when this
    /// process has the lock to itself, about k when k processes keep it busy in turn.
    /// </summary>
    public double Contention
    {
        get
        {
            var held = Volatile.Read(ref _heldSeconds);
            return held > 0 ? Math.Max(1, Volatile.Read(ref _passSeconds) / held) : 1;
        }
    }

    /// <summary>Completes the job held by <paramref name="lease"/> in the next pass; false when the lease was lost.</summary>
    public Task<bool> CompleteAsync(Lease lease)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return Enqueue(lease, done) ? done.Task : _queue.CompleteAsync(lease);
    }

    /// <summary>Completes the job in the next pass without anyone waiting for the answer (a lost lease is only logged).</summary>
    public void Complete(Lease lease)
    {
        if (!Enqueue(lease, null))
        {
            _ = _queue.CompleteAsync(lease);
        }
    }

    /// <summary>There may be new jobs (another process committed, or the poll ticked): claim for whatever slots are free.</summary>
    public void RequestClaim()
    {
        lock (_lock)
        {
            // No signal: the loop decides when the request is due (see _reaskGap).
            _claimRequested = true;
            Monitor.Pulse(_lock);
        }
    }

    /// <summary>Capacity was freed without a completion to write: claim for it if jobs may be waiting.</summary>
    public void Wake()
    {
        lock (_lock)
        {
            Signal();
        }
    }

    /// <summary>Writes the completions still queued, claims nothing more, and ends the thread.</summary>
    public Task StopAsync()
    {
        lock (_lock)
        {
            _stopping = true;
            Signal();
        }
        return _done.Task;
    }

    private bool Enqueue(Lease lease, TaskCompletionSource<bool>? done)
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return false;
            }
            _finished.Add((lease, done));
            Signal();
            return true;
        }
    }

    private void Signal()
    {
        _signalled = true;
        Monitor.Pulse(_lock);
    }

    private void Run()
    {
        try
        {
            while (Next() is { } pass)
            {
                Write(pass.Finished, pass.ClaimRequested);
            }
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private (List<(Lease Lease, TaskCompletionSource<bool>? Done)> Finished, bool ClaimRequested)? Next()
    {
        lock (_lock)
        {
            // Stopping is a state, not only a signal: the pass that consumed the stop signal may have
            // had completions to write, and the loop must still end after it.
            while (!_signalled && !_stopping && _finished.Count == 0)
            {
                if (!_claimRequested)
                {
                    Monitor.Wait(_lock);
                    continue;
                }
                var wait = _nextReask - Stopwatch.GetTimestamp();
                if (wait <= 0)
                {
                    break;
                }
                // Whole milliseconds, rounded up: Monitor.Wait truncates, and a wait under one
                // would return at once, spinning until the ask is due.
                Monitor.Wait(_lock, (int)Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency));
            }
            _signalled = false;
            if (_stopping && _finished.Count == 0)
            {
                return null;
            }
            var batch = _finished;
            if (batch.Count > MaxBatch)
            {
                _finished = batch[MaxBatch..];
                batch = batch[..MaxBatch];
                _signalled = true;
            }
            else
            {
                _finished = [];
            }
            var requested = _claimRequested && !_stopping && Stopwatch.GetTimestamp() >= _nextReask;
            if (requested)
            {
                _claimRequested = false;
            }
            return (batch, requested);
        }
    }

    private void Write(List<(Lease Lease, TaskCompletionSource<bool>? Done)> finished, bool claimRequested)
    {
        bool stopping;
        lock (_lock)
        {
            stopping = _stopping;
        }
        IReadOnlyDictionary<string, int> free = stopping ? new Dictionary<string, int>() : _capacity();
        var ask = claimRequested ? free : free.Where(f => !_drained.Contains(f.Key)).ToDictionary();
        if (finished.Count == 0 && ask.Count == 0)
        {
            return;
        }
        try
        {
            var start = Stopwatch.GetTimestamp();
            var result = _queue.CompleteAndClaim(finished.ConvertAll(f => f.Lease), _owner, ask);
            if (result.LockHeld > TimeSpan.Zero)
            {
                Volatile.Write(ref _passSeconds, MovingAverage.Next(_passSeconds, Stopwatch.GetElapsedTime(start).TotalSeconds));
                Volatile.Write(ref _heldSeconds, MovingAverage.Next(_heldSeconds, result.LockHeld.TotalSeconds));
            }
            for (var i = 0; i < finished.Count; i++)
            {
                if (finished[i].Done is { } done)
                {
                    done.TrySetResult(result.Completed[i]);
                }
                else if (!result.Completed[i])
                {
                    _log.LogWarning("Job {JobId} finished, but its lease had been taken over; its completion was not recorded", finished[i].Lease.JobId);
                }
            }
            if (ask.Count > 0)
            {
                var got = result.Claimed.CountBy(j => j.Type).ToDictionary();
                foreach (var (type, wanted) in ask)
                {
                    if (got.GetValueOrDefault(type) < wanted)
                    {
                        _drained.Add(type);
                    }
                    else
                    {
                        _drained.Remove(type);
                    }
                }
            }
            if (claimRequested && (finished.Count > 0 || result.Claimed.Count > 0))
            {
                // This commit will come back as a request (see _reaskGap).
                lock (_lock)
                {
                    _nextReask = start + _reaskGap;
                }
            }
            if (result.Claimed.Count > 0)
            {
                _claimed(result.Claimed);
            }
        }
        catch (Exception e)
        {
            // A busy or briefly unavailable database: the pass is tried again after a pause. The
            // completions nobody waits for go with it (each is fenced by its lease, so writing one
            // twice is harmless) unless the worker is stopping; a job whose completion is never
            // written is rescued when its lease expires.
            var diskFull = _diskFull.Observe(e);
            if (!diskFull)
            {
                _log.LogWarning(e, "Completing {Count} job(s) and claiming failed", finished.Count);
            }
            finished.ForEach(f => f.Done?.TrySetException(e));
            lock (_lock)
            {
                if (!_stopping)
                {
                    _finished.InsertRange(0, finished.Where(f => f.Done is null));
                }
                _claimRequested |= ask.Count > 0;
                Monitor.Wait(_lock, diskFull ? PauseAfterDiskFull : PauseAfterError);
                _signalled = true;
            }
        }
    }
}
