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
}
