namespace App.Worker.Queue;

/// <summary>
/// One job type's share of a worker: its slots (how many of its jobs may run at once), how many of
/// them run, the jobs claimed ahead for them, and how long its jobs take. Each type is claimed for
/// its own free slots, so a type whose slots are full (slow fetches) holds up no other type.
/// Not thread-safe: <see cref="JobRunner"/> uses it under its lock.
/// </summary>
internal sealed class TypeSlots(int concurrency)
{
    public int Concurrency => concurrency;

    /// <summary>Jobs of the type whose handler runs now.</summary>
    public int Running { get; set; }

    /// <summary>Jobs claimed ahead, waiting for a slot of the type.</summary>
    public Queue<ReadyJob> Ready { get; } = new();

    /// <summary>How long a job of the type takes, as a moving average (0 until one finished).</summary>
    public double JobSeconds { get; set; }

    /// <summary>How long a job of the type keeps its thread before it finishes or first waits, as a moving average (0 until one finished).</summary>
    public double SyncSeconds { get; set; }

    public bool HasFreeSlot => Running < concurrency;
}
