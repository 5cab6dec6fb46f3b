using System.Text.Json;

namespace App.Worker.Queue;

/// <summary>
/// A job that does nothing but wait <c>delayMs</c> from its payload: measures the queue itself
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
        if (payload.RootElement.TryGetProperty("delayMs", out var delay) && delay.GetInt32() > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay.GetInt32()), time, ct);
        }
    }
}
