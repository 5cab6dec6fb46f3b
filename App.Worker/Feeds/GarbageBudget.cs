namespace App.Worker.Feeds;

/// <summary>
/// Collects the youngest generation whenever refresh work has allocated <see cref="Bytes"/> since
/// the last collection, instead of when the runtime's own budget is spent. That budget follows the
/// CPU's cache size — 17.7 MB between collections on the 32 MB-L3 machine measured — and all of it
/// is resident memory by the time it is collected; the setting that lowers it (DOTNET_GCgen0size)
/// is read from the environment only, not from the runtimeconfig. The youngest generation then
/// holds little more than the last item's garbage, and collecting it takes well under a
/// millisecond (docs/feeds.md, memory). One per process: the allocation count is the process's.
/// </summary>
public sealed class GarbageBudget
{
    /// <summary>How much may be allocated between collections.</summary>
    public const long Bytes = 1024 * 1024;

    private long _collectedAt = GC.GetTotalAllocatedBytes();

    /// <summary>Call after each unit of work (an item, a step of a refresh); collects when the budget is spent.</summary>
    public void Spend()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var last = Interlocked.Read(ref _collectedAt);
        // Of concurrent refreshes that find the budget spent, one collects.
        if (allocated - last > Bytes && Interlocked.CompareExchange(ref _collectedAt, allocated, last) == last)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }
    }
}
