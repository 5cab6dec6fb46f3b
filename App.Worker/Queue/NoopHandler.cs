using System.Diagnostics;
using System.Text.Json;
using App.Data.Queue;

namespace App.Worker.Queue;

/// <summary>
/// A job that does nothing but wait <c>delayMs</c> from its payload (or keep a core busy for
/// <c>spinMs</c>), and with <c>"record": true</c>
/// writes a <see cref="NoopRun"/> together with its completion: it measures the queue itself
/// (benchmarks, multi-process tests). The web API cannot enqueue it.
/// </summary>
public sealed class NoopHandler(TimeProvider time) : IJobHandler
{
    public const string JobType = "noop";

    public string Type => JobType;

    public TimeSpan Timeout => TimeSpan.FromMinutes(10);

    public async Task RunAsync(JobRun run, CancellationToken ct)
    {
        using var payload = JsonDocument.Parse(run.Job.Payload);
        var root = payload.RootElement;
        if (root.TryGetProperty("delayMs", out var delay) && delay.GetInt32() > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay.GetInt32()), time, ct);
        }
        if (root.TryGetProperty("spinMs", out var spin) && spin.GetInt32() > 0)
        {
            var until = Stopwatch.GetTimestamp() + (long)(spin.GetInt32() * Stopwatch.Frequency / 1000.0);
            while (Stopwatch.GetTimestamp() < until)
            {
                ct.ThrowIfCancellationRequested();
            }
        }
        if (root.TryGetProperty("record", out var record) && record.GetBoolean())
        {
            var lease = run.Job.Lease;
            await run.CompleteAsync((db, _) =>
            {
                db.NoopRuns.Add(new NoopRun { JobId = lease.JobId, Worker = lease.Owner, RecordedAt = time.GetUtcNow().UtcDateTime });
                return Task.CompletedTask;
            }, ct);
        }
    }
}
