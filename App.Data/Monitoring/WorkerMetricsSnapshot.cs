using System.Text.Json;

namespace App.Data.Monitoring;

/// <summary>
/// A worker process's counters and histograms since it started, as it stores them with each
/// heartbeat (<see cref="Queue.WorkerProcess.Metrics"/>) and as the web's <c>/metrics</c> reads
/// them: jobs run in the workers, the scrape is answered by the web. Every value only grows while
/// the process lives, so the web can export each worker's totals as Prometheus counters.
/// </summary>
public sealed class WorkerMetricsSnapshot
{
    /// <summary>Upper bounds (seconds) of the claim-to-start buckets: a job claimed ahead waits for a slot.</summary>
    public static readonly double[] ClaimToStartBounds =
        [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30];

    /// <summary>Upper bounds (seconds) of the run-time buckets: from no-op jobs to fetches near their timeout.</summary>
    public static readonly double[] RunTimeBounds =
        [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Per job type: outcomes, failures by reason, and the two histograms.</summary>
    public List<JobTypeMetrics> Jobs { get; init; } = [];

    /// <summary>Feed and icon fetches by the HTTP status of their last response ("200", "304", "404"), or "none" when no response came.</summary>
    public Dictionary<string, long> FetchesByStatus { get; init; } = [];

    /// <summary>New feed items stored.</summary>
    public long ItemsStored { get; init; }

    /// <summary>Times the worker was woken by the kernel's notice of a write to the database (at most 200 a second).</summary>
    public long WakeupsByNotice { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The snapshot in <paramref name="json"/>, or null when there is none or it cannot be read (a worker of another version).</summary>
    public static WorkerMetricsSnapshot? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            var snapshot = JsonSerializer.Deserialize<WorkerMetricsSnapshot>(json, Json);
            return snapshot is { Jobs: { } jobs, FetchesByStatus: not null }
                && jobs.All(j => j is { Outcomes: not null, FailuresByReason: not null, ClaimToStart: not null, RunTime: not null }
                    && j.ClaimToStart.Fits(ClaimToStartBounds) && j.RunTime.Fits(RunTimeBounds))
                ? snapshot
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What one worker counted for one job type.</summary>
public sealed class JobTypeMetrics
{
    public required string Type { get; init; }

    /// <summary>Finished attempts by outcome (see <c>JobOutcome</c> in the worker): succeeded, retried, failed, lease_lost, released, unrecorded.</summary>
    public Dictionary<string, long> Outcomes { get; init; } = [];

    /// <summary>Failed attempts (retried or failed for good) by a short reason: http_404, blocked_address, not_a_feed, timeout, …</summary>
    public Dictionary<string, long> FailuresByReason { get; init; } = [];

    /// <summary>From the claim to the handler's start.</summary>
    public HistogramCounts ClaimToStart { get; init; } = new();

    /// <summary>The handler's run time.</summary>
    public HistogramCounts RunTime { get; init; } = new();
}

/// <summary>
/// A histogram's observations per bucket (not cumulative; the last bucket is +Inf) with the sum of
/// the values in each bucket: the mean of a bucket's new values lies inside that bucket, so the
/// web can replay them into a library histogram exactly (counts and sum alike).
/// </summary>
public sealed class HistogramCounts
{
    public long[] Counts { get; init; } = [];

    public double[] Sums { get; init; } = [];

    /// <summary>Whether this has one bucket per bound plus +Inf (empty: nothing observed yet).</summary>
    public bool Fits(double[] bounds) =>
        (Counts.Length == 0 && Sums.Length == 0) || (Counts.Length == bounds.Length + 1 && Sums.Length == bounds.Length + 1);
}
