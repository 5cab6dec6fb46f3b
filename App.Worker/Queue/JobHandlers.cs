using App.Data.Queue;
using Microsoft.Extensions.Options;

namespace App.Worker.Queue;

/// <summary>The registered handlers, by job type, and how many jobs of each type a worker runs at once.</summary>
public sealed class JobHandlers(IEnumerable<IJobHandler> handlers, IOptions<QueueOptions> options)
{
    private readonly Dictionary<string, IJobHandler> _byType = handlers.ToDictionary(h => h.Type);

    public IJobHandler? Find(string type) => _byType.GetValueOrDefault(type);

    /// <summary>Jobs of <paramref name="type"/> one worker runs at once: the handler's own number, else <see cref="QueueOptions.Concurrency"/>.</summary>
    public int Concurrency(string type) => Find(type)?.Concurrency ?? options.Value.Concurrency;

    /// <summary>The job types this worker runs; it claims no others.</summary>
    public IEnumerable<string> Types => _byType.Keys;

    /// <summary>Each handler's <see cref="IJobHandler.WarmUpAsync"/>; one that fails is logged and skipped (it only costs its first job time).</summary>
    public async Task WarmUpAsync(ILogger log, CancellationToken ct)
    {
        foreach (var handler in _byType.Values)
        {
            try
            {
                await handler.WarmUpAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("Warming up the {Type} handler failed: {Error}", handler.Type, JobErrors.Describe(e));
            }
        }
    }
}
