using Quartz;

namespace App.Worker.Queue;

/// <summary>
/// The safety-net poll: on every tick, claim what free capacity allows. The runner also claims
/// again as soon as a job finishes, so a busy worker does not wait for the next tick.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PollQueueSchedule(JobRunner runner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) =>
        await runner.PumpAsync(ct);
}
