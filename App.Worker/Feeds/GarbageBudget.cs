using App.Data.Sqlite;

namespace App.Worker.Feeds;

/// <summary>
/// Collects the two young generations whenever refresh work has allocated <see cref="Bytes"/>
/// since the last collection, instead of when the runtime's own budget is spent. That budget
/// follows the CPU's cache size — 17.7 MB between collections on the 32 MB-L3 machine measured —
/// and all of it is resident memory by the time it is collected; the setting that lowers it
/// (DOTNET_GCgen0size) is read from the environment only, not from the runtimeconfig. One per
/// process: the allocation count is the process's.
/// </summary>
/// <remarks>
/// Generation 1 is collected too: what survives a collection (the items of refreshes in flight)
/// is promoted into it, and the runtime collects it only at its own gen0 budget, which these
/// collections keep it from reaching. Collecting gen0 alone every 4 MB let gen1 grow to 370 MB on
/// the 10 MiB feed; every 1 MB it stayed small, but the collections, about one per 20-item feed
/// with many refreshes at once, took 12.6 % of a refreshing worker's CPU (each stops every
/// thread, whatever it finds). Both young generations every 4 MB: 5.9 %, and the 10 MiB feed's
/// peak unchanged (146 MB against 145). docs/feeds.md, *CPU per refresh*.
/// <para>
/// A collection stops the thread that holds SQLite's write lock too, and every other process
/// waits for the lock meanwhile: with four workers refreshing, completions that stored 20 items
/// with collections inside held the lock 30-40 ms instead of about 2, and the web's subscribe
/// waited through those. While a connection of the process holds the lock
/// (<see cref="LockHolders"/>) the collection is put off, up to <see cref="Bytes"/> more.
/// </para>
/// </remarks>
public sealed class GarbageBudget
{
    /// <summary>How much may be allocated between collections.</summary>
    public const long Bytes = 4 * 1024 * 1024;

    private long _collectedAt = GC.GetTotalAllocatedBytes();

    /// <summary>
    /// Call after each unit of work (an item, a step of a refresh); collects when the budget is
    /// spent, unless this process holds the write lock and less than twice the budget is. True: it collected.
    /// </summary>
    public bool Spend()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var last = Interlocked.Read(ref _collectedAt);
        var spent = allocated - last;
        if (spent <= Bytes || (spent <= 2 * Bytes && LockHolders.AnyHeld))
        {
            return false;
        }
        // Of concurrent refreshes that find the budget spent, one collects.
        if (Interlocked.CompareExchange(ref _collectedAt, allocated, last) != last)
        {
            return false;
        }
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        return true;
    }
}
