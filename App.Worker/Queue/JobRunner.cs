using System.Diagnostics;
using App.Data;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Worker.Monitoring;
using Microsoft.Extensions.Options;

namespace App.Worker.Queue;

/// <summary>
/// Runs jobs on the thread pool with their leases renewed, each job type in slots of its own (as
/// many as its handler declares, else <see cref="QueueOptions.Concurrency"/>), and records their
/// outcomes; claims, each type's for its own free slots, and plain completions are written by its
/// <see cref="ClaimLoop"/>. On shutdown it hands back jobs claimed ahead, lets running jobs finish
/// within <see cref="QueueOptions.ShutdownGrace"/> and releases the rest.
/// Registered as a hosted service before Quartz, so it stops after Quartz stopped polling.
/// </summary>
public sealed class JobRunner : IHostedService
{
    private readonly JobQueue _queue;
    private readonly JobHandlers _handlers;
    private readonly WorkerRegistry _registry;
    private readonly WorkerIdentity _identity;
    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobRunner> _log;
    private readonly WorkerMetrics _metrics;
    private readonly DiskFullState _diskFull;
    private readonly ClaimLoop _loop;

    /// <summary>
    /// A job whose outcome met a full disk is handed back, its attempt refunded, to run again after
    /// this: soon enough to go on once there is room, rarely enough not to fetch its feed every
    /// few seconds meanwhile (the full disk is logged once a minute).
    /// </summary>
    public static readonly TimeSpan DiskFullRetryDelay = TimeSpan.FromMinutes(1);

    // Lanes of a type whose jobs keep their thread for less than this before they finish or first
    // wait are started together on one pool thread (see StartTogether): well under what a
    // thread-pool wake-up costs, and short enough that the lanes behind them start late by little.
    private const double StartTogetherBelow = 50e-6;

    // Guarded by _lock: jobs whose handler runs, each type's slots (with its jobs claimed ahead
    // that wait for one), and the writes handing back jobs claimed after the stop began.
    private readonly object _lock = new();
    private readonly Dictionary<long, RunningJob> _running = [];
    private readonly Dictionary<string, TypeSlots> _slots = [];
    private readonly List<Task> _handBacks = [];

    // Cancelled when the grace period is over: handlers stop and their jobs are released.
    private readonly CancellationTokenSource _hardStop = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private volatile bool _accepting = true;
    private Task? _renewal;

    private sealed record RunningJob(ClaimedJob Job, long ClaimedAt, CancellationTokenSource Cancel, TaskCompletionSource Finished);

    public JobRunner(
        JobQueue queue,
        JobHandlers handlers,
        WorkerRegistry registry,
        WorkerIdentity identity,
        IOptions<QueueOptions> options,
        TimeProvider time,
        WorkerMetrics metrics,
        DiskFullState diskFull,
        ILogger<JobRunner> log)
    {
        _queue = queue;
        _handlers = handlers;
        _registry = registry;
        _identity = identity;
        _options = options.Value;
        _time = time;
        _log = log;
        _metrics = metrics;
        _diskFull = diskFull;
        foreach (var type in handlers.Types)
        {
            _slots[type] = new TypeSlots(handlers.Concurrency(type));
        }
        _loop = new ClaimLoop(queue, identity.Id, FreeSlots, Dispatch, diskFull, log);
    }

    /// <summary>Jobs running in this process now.</summary>
    public int RunningCount
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    public async Task StartAsync(CancellationToken ct)
    {
        // Before registering: a worker that others (and the dashboard) see is one that claims at once.
        await _handlers.WarmUpAsync(_log, ct);
        await StartupRetry.RunAsync("Registering the worker", _log, c => _registry.HeartbeatAsync(_identity.Id, ct: c), ct);
        _renewal = RenewLoopAsync(_stopRenewing.Token);
        _log.LogInformation("Worker {Worker} started: slots {Slots} (claim-ahead up to {Ahead} each), lease {Lease}",
            _identity.Id, string.Join(", ", _slots.Select(s => $"{s.Key} {s.Value.Concurrency}")), _options.ClaimAhead, _options.LeaseDuration);
    }

    /// <summary>
    /// Asks for a claim as soon as possible, if capacity is free (the wake-up saw another process
    /// commit, or the poll ticked). Claims are made by one writer thread, never in parallel.
    /// </summary>
    public Task PumpAsync(CancellationToken ct)
    {
        if (_accepting)
        {
            _loop.RequestClaim();
        }
        return Task.CompletedTask;
    }

    /// <summary>How many more jobs of each type the worker takes now: its free slots and what it claims ahead for them.</summary>
    private Dictionary<string, int> FreeSlots()
    {
        var free = new Dictionary<string, int>();
        lock (_lock)
        {
            if (!_accepting)
            {
                return free;
            }
            foreach (var (type, slots) in _slots)
            {
                var more = slots.Concurrency + ClaimAhead(slots) - slots.Running - slots.Ready.Count;
                if (more > 0)
                {
                    free[type] = more;
                }
            }
        }
        return free;
    }

    // Under _lock. Claims bring back only the types asked for, which have slots from the start; a
    // type without a handler gets some all the same rather than an exception on the claim loop's
    // thread (its job then fails with "No handler").
    private TypeSlots SlotsOf(string type)
    {
        if (!_slots.TryGetValue(type, out var slots))
        {
            _slots[type] = slots = new TypeSlots(_handlers.Concurrency(type));
        }
        return slots;
    }

    // Under _lock. Jobs claimed ahead cover the time a write pass takes (Little's law: as many as
    // the type's slots finish during one pass), so a slot starts its next job the moment it frees
    // while the claim loop writes. Jobs that take far longer than a pass (feed fetches) get none: a
    // job claimed ahead of them would only wait here while another worker could have run it. Each
    // type claims ahead for its own slots only, from its own job time.
    // When other processes keep the write lock busy, this one writes only every k-th turn, so each
    // of its turns carries k times the jobs: together they then move as many jobs a second as one
    // process alone, instead of each paying a transaction (and a page cache emptied by the others'
    // commits) for a smaller batch.
    private int ClaimAhead(TypeSlots slots)
    {
        if (slots.JobSeconds <= 0)
        {
            return 0;
        }
        var perPass = slots.Concurrency * _loop.PassTime.TotalSeconds / slots.JobSeconds;
        var cap = Math.Min(QueueOptions.MaxClaimAhead, _options.ClaimAhead * _loop.Contention);
        return (int)Math.Min(cap, Math.Round(perPass));
    }

    // On the claim loop's thread: start what fits, keep the rest ready.
    private void Dispatch(IReadOnlyList<ClaimedJob> claimed)
    {
        List<RunningJob>? start = null;
        List<RunningJob>? together = null;
        List<ClaimedJob>? handBack = null;
        var claimedAt = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            foreach (var job in claimed)
            {
                var slots = SlotsOf(job.Type);
                if (!_accepting)
                {
                    (handBack ??= []).Add(job);
                }
                else if (slots.HasFreeSlot)
                {
                    var lane = Track(job, claimedAt);
                    if (slots.SyncSeconds is > 0 and < StartTogetherBelow)
                    {
                        (together ??= []).Add(lane);
                    }
                    else
                    {
                        (start ??= []).Add(lane);
                    }
                }
                else
                {
                    slots.Ready.Enqueue(new ReadyJob(job, claimedAt));
                }
            }
        }
        start?.ForEach(r => _ = Task.Run(() => LaneAsync(r)));
        if (together is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Runner.StartTogether(s.Lanes), (Runner: this, Lanes: together), preferLocal: false);
        }
        if (handBack is not null)
        {
            // A claim that was under way when the stop began: handed back at once, and the stop
            // waits for it before the worker deregisters (and the process exits).
            var release = ReleaseAsync(handBack);
            lock (_lock)
            {
                _handBacks.Add(release);
            }
        }
    }

    // Under _lock.
    private RunningJob Track(ClaimedJob job, long claimedAt)
    {
        var running = new RunningJob(job, claimedAt, CancellationTokenSource.CreateLinkedTokenSource(_hardStop.Token),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _running[job.Lease.JobId] = running;
        SlotsOf(job.Type).Running++;
        return running;
    }

    // Lanes whose jobs hold a thread only briefly before they finish or first wait (no-op jobs,
    // and jobs that soon wait for I/O), started one after another on one pool thread: each lane
    // started with a work item of its own cost a thread-pool wake-up, several per claim pass, which
    // on the claim loop's thread (the worker's serial resource) and the pool's was a large part of
    // a no-op job's CPU (docs/queue.md, "Where the time goes"). A lane that waits gives the thread
    // back at once, so the next starts then; one whose jobs finish synchronously runs its type's
    // jobs claimed ahead one after another before the next lane starts, which for such short jobs
    // is sooner than a thread wakes.
    private void StartTogether(List<RunningJob> lanes)
    {
        foreach (var lane in lanes)
        {
            _ = LaneAsync(lane);
        }
    }

    // One slot: runs its job, then goes straight on with the next job of its type claimed ahead, if
    // any, without waiting for the database. The completion is written by the claim loop meanwhile.
    private async Task LaneAsync(RunningJob first)
    {
        for (var current = first; current is not null;)
        {
            var completeLater = false;
            var start = Stopwatch.GetTimestamp();
            var heldThread = 0.0;
            var run = new JobRun(current.Job, _queue, _loop);
            JobOutcome? outcome = null;
            // Everything logged while the job runs (the handler's lines too) carries its id, type, attempt and feed.
            using var scope = JobLog.Scope(_log, current.Job);
            try
            {
                var running = RunHandlerAsync(run, current.Cancel.Token);
                // How long the job kept this thread before it finished or first waited.
                heldThread = Stopwatch.GetElapsedTime(start).TotalSeconds;
                (completeLater, outcome) = await running;
            }
            finally
            {
                var finished = current;
                var runTime = Stopwatch.GetElapsedTime(start);
                var ended = completeLater ? JobOutcome.Succeeded : outcome ?? run.Outcome ?? JobOutcome.Unrecorded;
                _metrics.JobFinished(finished.Job.Type, Stopwatch.GetElapsedTime(finished.ClaimedAt, start), runTime, ended, run.FailureReason);
                JobLog.Finished(_log, finished.Job, ended, runTime, run.Error);
                lock (_lock)
                {
                    var slots = SlotsOf(finished.Job.Type);
                    slots.JobSeconds = MovingAverage.Next(slots.JobSeconds, runTime.TotalSeconds);
                    // An exception thrown before the handler's task existed leaves it 0: not a sample.
                    if (heldThread > 0)
                    {
                        slots.SyncSeconds = MovingAverage.Next(slots.SyncSeconds, heldThread);
                    }
                    _running.Remove(finished.Job.Lease.JobId);
                    slots.Running--;
                    current = _accepting && slots.HasFreeSlot && slots.Ready.TryDequeue(out var next)
                        ? Track(next.Job, next.ClaimedAt)
                        : null;
                }
                finished.Cancel.Dispose();
                // The loop writes the completion and claims for the freed capacity in one transaction.
                // Handed over before the job counts as finished: a stopping runner waits for the
                // finished jobs, then lets the loop write what it was handed, then stops it.
                if (completeLater)
                {
                    _loop.Complete(finished.Job.Lease);
                }
                else
                {
                    _loop.Wake();
                }
                finished.Finished.SetResult();
            }
            if (current is not null && heldThread >= StartTogetherBelow)
            {
                // A job that kept the thread: the lanes started together after this one (and the
                // pool's other work) get the thread before this lane's next job. Without it, a type
                // whose first jobs were short and whose later ones spin ran its claimed-ahead jobs
                // one after another on one thread while its other slots waited to start.
                await Task.Yield();
            }
        }
    }

    /// <summary>
    /// Runs the handler and records its outcome. CompleteLater: the job succeeded with nothing else to
    /// write, and the caller hands its completion to the claim loop. Outcome: what the runner itself
    /// decided (a release, a lost lease); otherwise the outcome is the one <paramref name="run"/> wrote.
    /// </summary>
    private async Task<(bool CompleteLater, JobOutcome? Outcome)> RunHandlerAsync(JobRun run, CancellationToken ct)
    {
        var job = run.Job;
        if (_handlers.Find(job.Type) is not { } handler)
        {
            await TryFailAsync(run, null, $"No handler for job type \"{job.Type}\".", retryable: false, "no_handler");
            return (false, null);
        }
        var giveUpAt = _time.GetUtcNow() + handler.Timeout + _options.TimeoutGrace;
        using var timeout = new CancellationTokenSource(handler.Timeout, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            var work = handler.RunAsync(run, attempt.Token);
            if (!work.IsCompleted && !await FinishesByAsync(work, giveUpAt))
            {
                // The handler ignores its token. Its lane is let go (the lease stops being renewed,
                // the slot is free) and the timeout recorded; what it writes later is fenced off.
                _log.LogError("Job {JobId} ({Type}) did not stop within {Grace} of its {Timeout} timeout; given up",
                    job.Lease.JobId, job.Type, _options.TimeoutGrace, handler.Timeout);
                if (!run.Finished)
                {
                    await TryFailAsync(run, handler, $"Timed out after {handler.Timeout.TotalSeconds:0.###} s", retryable: true, "timeout");
                }
                return (false, null);
            }
            await work;
            return (!run.Finished, null);
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            // Interrupted by shutdown, not failed: hand it back without spending the attempt.
            if (!run.Finished)
            {
                await ReleaseAsync([job]);
                return (false, JobOutcome.Released);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Another worker rescued the job; the finished line says so.
            return (false, JobOutcome.LeaseLost);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The finished line carries the timeout as the attempt's error.
            if (!run.Finished)
            {
                await TryFailAsync(run, handler, $"Timed out after {handler.Timeout.TotalSeconds:0.###} s", retryable: true, "timeout");
            }
        }
        catch (Exception e) when (!run.Finished && _diskFull.Observe(e))
        {
            // Not the job's failure: nothing of its outcome could be stored. It goes back with its
            // attempt refunded, so that a disk full for hours does not use up every job's attempts,
            // and runs again once there is room. On a disk too full for even that small write, it
            // stays running until its lease expires, and is rescued like a dead worker's job.
            return (false, await TryPostponeAsync(job) ? JobOutcome.Released : JobOutcome.Unrecorded);
        }
        catch (Exception e)
        {
            // Not an expected failure (those the handler records itself): the stack is worth a line of its own.
            _log.LogError(e, "Job {JobId} ({Type}) attempt {Attempt} failed", job.Lease.JobId, job.Type, job.Attempt);
            if (!run.Finished)
            {
                await TryFailAsync(run, handler, JobErrors.Describe(e), retryable: true, "exception");
            }
        }
        return (false, null);
    }

    /// <summary>Hands the job back after a full disk; false when even that could not be written.</summary>
    private async Task<bool> TryPostponeAsync(ClaimedJob job)
    {
        try
        {
            await _queue.PostponeAsync(job.Lease, _time.GetUtcNow().UtcDateTime + DiskFullRetryDelay, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (_diskFull.Observe(e))
        {
            // Logged by DiskFullState once a minute; the lease runs out and the job is rescued.
        }
        catch (Exception e)
        {
            _log.LogError(e, "Could not hand back job {JobId} after a full disk; it is rescued when its lease expires", job.Lease.JobId);
        }
        return false;
    }

    /// <summary>Whether <paramref name="work"/> ends by <paramref name="deadline"/>; if not, its outcome is observed when it comes, and only logged.</summary>
    private async Task<bool> FinishesByAsync(Task work, DateTimeOffset deadline)
    {
        var left = deadline - _time.GetUtcNow();
        try
        {
            await work.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
            return true;
        }
        catch (TimeoutException) when (!work.IsCompleted)
        {
            _ = work.ContinueWith(
                t => _log.LogWarning(t.Exception, "A job given up after its timeout failed later"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return false;
        }
        catch
        {
            // The handler ended with an exception: the caller awaits it again and handles that.
            return true;
        }
    }

    /// <summary>
    /// Records a failed attempt with the handler's failure effects. When those cannot be written
    /// (they may be what failed), the failure is written without them rather than not at all.
    /// </summary>
    private async Task TryFailAsync(JobRun run, IJobHandler? handler, string error, bool retryable, string reason)
    {
        if (handler?.FailureEffects(run, error) is { } effects)
        {
            try
            {
                await run.FailAsync(error, retryable, effects, CancellationToken.None, reason: reason);
                return;
            }
            catch (Exception writeError) when (!_diskFull.Observe(writeError))
            {
                _log.LogError(writeError, "Could not record the failure of job {JobId} with its effects", run.Job.Lease.JobId);
            }
            catch (Exception)
            {
                // A full disk, logged by DiskFullState once a minute.
            }
        }
        try
        {
            await run.FailAsync(error, retryable, null, CancellationToken.None, reason: reason);
        }
        catch (Exception writeError)
        {
            // The lease runs out and another worker retries the job. A full disk is logged by
            // DiskFullState, once a minute.
            if (!_diskFull.Observe(writeError))
            {
                _log.LogError(writeError, "Could not record the failure of job {JobId}", run.Job.Lease.JobId);
            }
        }
    }

    /// <summary>
    /// Renews the leases of all running and claimed-ahead jobs together, every third of the lease;
    /// a job whose lease was taken over (another worker rescued it) is cancelled, or dropped if it
    /// had not started, as its writes would be refused anyway.
    /// </summary>
    private async Task RenewLoopAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, _time, ct);
                List<RunningJob> running;
                List<ClaimedJob> ready;
                lock (_lock)
                {
                    running = [.. _running.Values];
                    ready = ReadyJobs();
                }
                bool[] held;
                try
                {
                    held = await _queue.RenewManyAsync([.. running.Select(r => r.Job.Lease), .. ready.Select(j => j.Lease)], ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A busy database: the leases have two more periods before they run out. (A full
                    // disk is logged by DiskFullState, once a minute.)
                    if (!_diskFull.Observe(e))
                    {
                        _log.LogWarning(e, "Renewing {Count} lease(s) failed", running.Count + ready.Count);
                    }
                    continue;
                }
                for (var i = 0; i < running.Count; i++)
                {
                    if (!held[i])
                    {
                        await TryCancelAsync(running[i].Cancel);
                    }
                }
                var lost = ready.Where((_, i) => !held[running.Count + i]).Select(j => j.Lease.JobId).ToHashSet();
                if (lost.Count > 0)
                {
                    lock (_lock)
                    {
                        foreach (var slots in _slots.Values)
                        {
                            var kept = slots.Ready.Where(r => !lost.Contains(r.Job.Lease.JobId)).ToList();
                            slots.Ready.Clear();
                            kept.ForEach(slots.Ready.Enqueue);
                        }
                    }
                    _loop.Wake();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Under _lock: the jobs claimed ahead, of every type.
    private List<ClaimedJob> ReadyJobs() => [.. _slots.Values.SelectMany(s => s.Ready.Select(r => r.Job))];

    private static async Task TryCancelAsync(CancellationTokenSource cancel)
    {
        try
        {
            await cancel.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The job finished in the meantime.
        }
    }

    // Hands jobs back in one transaction: a worker stopping with a few hundred short jobs claimed ahead writes once.
    private async Task ReleaseAsync(IReadOnlyList<ClaimedJob> jobs)
    {
        if (jobs.Count == 0)
        {
            return;
        }
        try
        {
            var released = await _queue.ReleaseManyAsync([.. jobs.Select(j => j.Lease)], CancellationToken.None);
            _log.LogInformation("Released {Count} job(s) at shutdown", released.Count(r => r));
        }
        catch (Exception e)
        {
            _log.LogError(e, "Could not release {Count} job(s); they are rescued when their leases expire", jobs.Count);
        }
    }

    /// <summary>
    /// Stops claiming and hands back the jobs claimed ahead at once; waits up to the grace period for
    /// running jobs, then cancels and releases what still runs. Deregisters only once every
    /// hand-back was written (including jobs a claim in flight returned after the stop began).
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        List<ClaimedJob> ready;
        List<RunningJob> running;
        lock (_lock)
        {
            _accepting = false;
            ready = ReadyJobs();
            foreach (var slots in _slots.Values)
            {
                slots.Ready.Clear();
            }
            running = [.. _running.Values];
        }
        await ReleaseAsync(ready);
        if (running.Count > 0)
        {
            _log.LogInformation("Stopping: waiting up to {Grace} for {Count} running job(s)", _options.ShutdownGrace, running.Count);
            var all = Task.WhenAll(running.Select(r => r.Finished.Task));
            await Task.WhenAny(all, Task.Delay(_options.ShutdownGrace, _time, ct));
            if (!all.IsCompleted)
            {
                await _hardStop.CancelAsync();
                await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), _time, ct));
                // Handlers that ignore cancellation: release their jobs from here; their own late writes are fenced off.
                List<RunningJob> stuck;
                lock (_lock)
                {
                    stuck = [.. _running.Values];
                }
                await ReleaseAsync(stuck.ConvertAll(r => r.Job));
            }
        }
        await _stopRenewing.CancelAsync();
        if (_renewal is not null)
        {
            await _renewal;
        }
        await _loop.StopAsync();
        // The loop has ended, so no claim can come back any more: every hand-back is known now.
        List<Task> handBacks;
        lock (_lock)
        {
            handBacks = [.. _handBacks];
        }
        await Task.WhenAll(handBacks);
        try
        {
            await _registry.DeregisterAsync(_identity.Id, CancellationToken.None);
        }
        catch (Exception e)
        {
            _log.LogWarning(e, "Could not deregister worker {Worker}", _identity.Id);
        }
        _log.LogInformation("Worker {Worker} stopped", _identity.Id);
    }
}
