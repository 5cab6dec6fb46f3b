namespace App.Worker.Queue;

/// <summary>The registered handlers, by job type.</summary>
public sealed class JobHandlers(IEnumerable<IJobHandler> handlers)
{
    private readonly Dictionary<string, IJobHandler> _byType = handlers.ToDictionary(h => h.Type);

    public IJobHandler? Find(string type) => _byType.GetValueOrDefault(type);
}
