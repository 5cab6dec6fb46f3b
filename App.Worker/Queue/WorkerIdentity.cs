using App.Data.Queue;

namespace App.Worker.Queue;

/// <summary>This process's name as a lease owner and in the workers table.</summary>
public sealed record WorkerIdentity(string Id)
{
    public static WorkerIdentity New() => new(WorkerRegistry.NewWorkerId());
}
