using App.Worker.Feeds;

namespace App.Tests.Worker.Feeds;

public sealed class GarbageBudgetTests
{
    [Fact]
    public void Spend_CollectsTheYoungGenerations_OnceTheBudgetIsAllocated()
    {
        var budget = new GarbageBudget();
        var keep = new object[64];
        for (var i = 0; i < 4 * GarbageBudget.Bytes / 1024; i++)
        {
            keep[i % keep.Length] = new byte[1000];
        }
        // Counted after the allocation, which may have set off collections of its own: the one
        // that counts is Spend's.
        var before = GC.CollectionCount(1);

        budget.Spend();

        Assert.True(GC.CollectionCount(1) > before);
        GC.KeepAlive(keep);
    }
}
