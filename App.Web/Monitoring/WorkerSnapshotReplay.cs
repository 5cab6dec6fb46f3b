using App.Data.Monitoring;
using Prometheus;

namespace App.Web.Monitoring;

/// <summary>
/// Turns the workers' stored snapshots into prometheus-net series labelled by worker. Counters are
/// raised to the worker's totals; histograms cannot be set, so what a bucket gained since the last
/// scrape is observed again, at the mean of the bucket's new values (which lies inside the bucket):
/// counts and sums come out as the worker counted them. A worker whose row is gone (deregistered,
/// or forgotten an hour after it died) has its series removed.
/// </summary>
public sealed class WorkerSnapshotReplay
{
    private readonly Counter _finished;
    private readonly Counter _failures;
    private readonly Counter _fetches;
    private readonly Counter _items;
    private readonly Counter _wakeups;
    private readonly Histogram _claimToStart;
    private readonly Histogram _runTime;

    // Per worker: the histogram counts already observed, by type.
    private readonly Dictionary<string, Dictionary<string, (HistogramCounts ClaimToStart, HistogramCounts RunTime)>> _replayed = [];

    public WorkerSnapshotReplay(IMetricFactory factory, string prefix)
    {
        _finished = factory.CreateCounter(prefix + "jobs_finished_total",
            "Finished job attempts by outcome: succeeded, retried (failed, to be tried again), failed (for good), lease_lost, released (at shutdown), unrecorded.",
            ["worker", "type", "outcome"]);
        _failures = factory.CreateCounter(prefix + "job_failures_total",
            "Failed job attempts (retried or failed for good) by reason: http_<status>, blocked_address, not_a_feed, invalid_feed, too_large, timeout, dns, network, exception, ….",
            ["worker", "type", "reason"]);
        _fetches = factory.CreateCounter(prefix + "fetches_total",
            "HTTP responses to feed and icon fetches by status (each redirect hop counts); \"none\" when no response came.", ["worker", "status"]);
        _items = factory.CreateCounter(prefix + "items_stored_total", "New feed items stored.", ["worker"]);
        _wakeups = factory.CreateCounter(prefix + "wakeups_total",
            "Times the worker was woken by the kernel's notice of a write to the SQLite database (at most 200 a second; none on PostgreSQL, which notifies by LISTEN).", ["worker"]);
        _claimToStart = factory.CreateHistogram(prefix + "job_claim_to_start_seconds",
            "From a job's claim to its handler's start (jobs claimed ahead wait for a slot).",
            new HistogramConfiguration { LabelNames = ["worker", "type"], Buckets = WorkerMetricsSnapshot.ClaimToStartBounds });
        _runTime = factory.CreateHistogram(prefix + "job_run_seconds", "How long a job's handler ran.",
            new HistogramConfiguration { LabelNames = ["worker", "type"], Buckets = WorkerMetricsSnapshot.RunTimeBounds });
    }

    /// <summary>Brings every series up to <paramref name="snapshots"/>: the registered workers and what they stored (null: nothing readable yet).</summary>
    public void Apply(IReadOnlyDictionary<string, WorkerMetricsSnapshot?> snapshots)
    {
        foreach (var gone in _replayed.Keys.Where(w => !snapshots.ContainsKey(w)).ToList())
        {
            Forget(gone);
        }
        foreach (var (worker, snapshot) in snapshots)
        {
            if (snapshot is not null)
            {
                Apply(worker, snapshot);
            }
        }
    }

    private void Apply(string worker, WorkerMetricsSnapshot snapshot)
    {
        var replayed = _replayed.TryGetValue(worker, out var known) ? known : _replayed[worker] = [];
        foreach (var job in snapshot.Jobs)
        {
            foreach (var (outcome, count) in job.Outcomes)
            {
                _finished.WithLabels(worker, job.Type, outcome).IncTo(count);
            }
            foreach (var (reason, count) in job.FailuresByReason)
            {
                _failures.WithLabels(worker, job.Type, reason).IncTo(count);
            }
            var before = replayed.GetValueOrDefault(job.Type);
            Replay(_claimToStart.WithLabels(worker, job.Type), WorkerMetricsSnapshot.ClaimToStartBounds, before.ClaimToStart, job.ClaimToStart);
            Replay(_runTime.WithLabels(worker, job.Type), WorkerMetricsSnapshot.RunTimeBounds, before.RunTime, job.RunTime);
            replayed[job.Type] = (job.ClaimToStart, job.RunTime);
        }
        foreach (var (status, count) in snapshot.FetchesByStatus)
        {
            _fetches.WithLabels(worker, status).IncTo(count);
        }
        _items.WithLabels(worker).IncTo(snapshot.ItemsStored);
        _wakeups.WithLabels(worker).IncTo(snapshot.WakeupsByNotice);
    }

    private static void Replay(Histogram.Child histogram, double[] bounds, HistogramCounts? before, HistogramCounts now)
    {
        for (var i = 0; i < now.Counts.Length; i++)
        {
            var count = now.Counts[i] - (before is { Counts.Length: > 0 } ? before.Counts[i] : 0);
            if (count <= 0)
            {
                continue;
            }
            var sum = now.Sums[i] - (before is { Sums.Length: > 0 } ? before.Sums[i] : 0);
            histogram.Observe(InBucket(sum / count, bounds, i), count);
        }
    }

    /// <summary>The mean kept inside bucket <paramref name="i"/> (above the previous bound, at most its own), against rounding.</summary>
    private static double InBucket(double mean, double[] bounds, int i)
    {
        var above = i > 0 ? Math.BitIncrement(bounds[i - 1]) : double.NegativeInfinity;
        var atMost = i < bounds.Length ? bounds[i] : double.PositiveInfinity;
        return Math.Min(Math.Max(mean, above), atMost);
    }

    private void Forget(string worker)
    {
        _replayed.Remove(worker);
        RemoveWorker(_finished, worker);
        RemoveWorker(_failures, worker);
        RemoveWorker(_fetches, worker);
        RemoveWorker(_items, worker);
        RemoveWorker(_wakeups, worker);
        RemoveWorker(_claimToStart, worker);
        RemoveWorker(_runTime, worker);
    }

    // Every series has the worker as its first label.
    private static void RemoveWorker<TChild>(Collector<TChild> collector, string worker)
        where TChild : ChildBase
    {
        foreach (var labels in collector.GetAllLabelValues().Where(l => l[0] == worker).ToList())
        {
            collector.RemoveLabelled(labels);
        }
    }
}
