using System.Collections.Concurrent;
using App.Data.Queue;
using Microsoft.Extensions.Options;

namespace App.Worker.Queue;

/// <summary>
/// Claims jobs up to <see cref="QueueOptions.Concurrency"/>, runs each on the thread pool with its
/// lease renewed, records the outcome, and on shutdown lets running jobs finish within
/// <see cref="QueueOptions.ShutdownGrace"/> before releasing the rest.
/// Registered as a hosted service before Quartz, so it stops after Quartz stopped polling.
/// </summary>
public sealed class JobRunner(
    JobQueue queue,
    JobHandlers handlers,
    CompletionBatcher completions,
    WorkerRegistry registry,
    WorkerIdentity identity,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<JobRunner> log) : IHostedService
{
    private readonly QueueOptions _options = options.Value;
    private readonly ConcurrentDictionary<long, RunningJob> _running = new();

    // Cancelled when the grace period is over: handlers stop and their jobs are released.
    private readonly CancellationTokenSource _hardStop = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private volatile bool _accepting = true;
    private int _pumpRequests;
    private Task? _renewal;

    private sealed record RunningJob(ClaimedJob Job, CancellationTokenSource Cancel, Task Task);

    /// <summary>Jobs running in this process now.</summary>
    public int RunningCount => _running.Count;

    public async Task StartAsync(CancellationToken ct)
    {
        await registry.HeartbeatAsync(identity.Id, ct);
        _renewal = RenewLoopAsync(_stopRenewing.Token);
        log.LogInformation("Worker {Worker} started: concurrency {Concurrency}, lease {Lease}",
            identity.Id, _options.Concurrency, _options.LeaseDuration);
    }

    /// <summary>
    /// Claims and starts jobs while capacity is free and jobs are due. Calls that arrive while a
    /// pump is under way are folded into it (one more pass), so claims never run in parallel.
    /// </summary>
    public async Task PumpAsync(CancellationToken ct)
    {
        if (Interlocked.Increment(ref _pumpRequests) > 1)
        {
            return;
        }
        do
        {
            Volatile.Write(ref _pumpRequests, 1);
            try
            {
                while (_accepting && _options.Concurrency - _running.Count is var free and > 0)
                {
                    var claimed = await queue.ClaimAsync(identity.Id, free, ct);
                    foreach (var job in claimed)
                    {
                        Start(job);
                    }
                    if (claimed.Count < free)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be busy or briefly unavailable; the next poll tries again.
                log.LogWarning(e, "Claiming jobs failed");
            }
        }
        while (Interlocked.Decrement(ref _pumpRequests) > 0);
    }

    private void Start(ClaimedJob job)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_hardStop.Token);
        var started = new TaskCompletionSource();
        var task = Task.Run(async () =>
        {
            await started.Task;
            await RunAsync(job, cancel);
        });
        _running[job.Lease.JobId] = new RunningJob(job, cancel, task);
        started.SetResult();
    }

    private async Task RunAsync(ClaimedJob job, CancellationTokenSource cancel)
    {
        try
        {
            await RunHandlerAsync(job, cancel.Token);
        }
        finally
        {
            _running.TryRemove(job.Lease.JobId, out _);
            cancel.Dispose();
        }
        if (_accepting)
        {
            _ = PumpAsync(CancellationToken.None);
        }
    }

    private async Task RunHandlerAsync(ClaimedJob job, CancellationToken ct)
    {
        var run = new JobRun(job, queue, completions);
        if (handlers.Find(job.Type) is not { } handler)
        {
            await TryFailAsync(run, $"No handler for job type \"{job.Type}\".", retryable: false);
            return;
        }
        using var timeout = new CancellationTokenSource(handler.Timeout, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await handler.RunAsync(run, attempt.Token);
            if (!run.Finished)
            {
                await run.CompleteAsync(null, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested)
        {
            // Interrupted by shutdown, not failed: hand it back without spending the attempt.
            if (!run.Finished)
            {
                await ReleaseAsync(job);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            log.LogWarning("Job {JobId} stopped: its lease was lost to another worker", job.Lease.JobId);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            log.LogWarning("Job {JobId} ({Type}) timed out after {Timeout}", job.Lease.JobId, job.Type, handler.Timeout);
            if (!run.Finished)
            {
                await TryFailAsync(run, $"Timed out after {handler.Timeout.TotalSeconds:0.###} s", retryable: true);
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "Job {JobId} ({Type}) attempt {Attempt} failed", job.Lease.JobId, job.Type, job.Attempt);
            if (!run.Finished)
            {
                await TryFailAsync(run, JobErrors.Describe(e), retryable: true);
            }
        }
    }

    private async Task TryFailAsync(JobRun run, string error, bool retryable)
    {
        try
        {
            await run.FailAsync(error, retryable, null, CancellationToken.None);
        }
        catch (Exception writeError)
        {
            // The lease runs out and another worker retries the job.
            log.LogError(writeError, "Could not record the failure of job {JobId}", run.Job.Lease.JobId);
        }
    }

    /// <summary>
    /// Renews the leases of all running jobs together, every third of the lease; a job whose lease
    /// was taken over (another worker rescued it) is cancelled, as its writes would be refused anyway.
    /// </summary>
    private async Task RenewLoopAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.LeaseDuration / 3, time, ct);
                var running = _running.Values.ToList();
                bool[] held;
                try
                {
                    held = await queue.RenewManyAsync(running.Select(r => r.Job.Lease).ToList(), ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A busy database: the leases have two more periods before they run out.
                    log.LogWarning(e, "Renewing {Count} lease(s) failed", running.Count);
                    continue;
                }
                for (var i = 0; i < running.Count; i++)
                {
                    if (!held[i])
                    {
                        await TryCancelAsync(running[i].Cancel);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

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

    private async Task ReleaseAsync(ClaimedJob job)
    {
        try
        {
            if (await queue.ReleaseAsync(job.Lease, CancellationToken.None))
            {
                log.LogInformation("Released job {JobId} at shutdown", job.Lease.JobId);
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "Could not release job {JobId}; it is rescued when its lease expires", job.Lease.JobId);
        }
    }

    /// <summary>Stops claiming, waits up to the grace period, then cancels and releases what still runs.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        _accepting = false;
        var running = _running.Values.ToList();
        if (running.Count > 0)
        {
            log.LogInformation("Stopping: waiting up to {Grace} for {Count} running job(s)", _options.ShutdownGrace, running.Count);
            var all = Task.WhenAll(running.Select(r => r.Task));
            await Task.WhenAny(all, Task.Delay(_options.ShutdownGrace, time, ct));
            if (!all.IsCompleted)
            {
                await _hardStop.CancelAsync();
                await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), time, ct));
                // Handlers that ignore cancellation: release their jobs from here; their own late writes are fenced off.
                foreach (var r in _running.Values)
                {
                    await ReleaseAsync(r.Job);
                }
            }
        }
        await _stopRenewing.CancelAsync();
        if (_renewal is not null)
        {
            await _renewal;
        }
        await completions.StopAsync();
        try
        {
            await registry.DeregisterAsync(identity.Id, CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not deregister worker {Worker}", identity.Id);
        }
        log.LogInformation("Worker {Worker} stopped", identity.Id);
    }
}
