using App.Worker.Feeds;

namespace App.Tests.Feeds;

public sealed class GarbageBudgetTests
{
    [Fact]
    public void Spend_CollectsTheYoungestGeneration_OnceTheBudgetIsAllocated()
    {
        var budget = new GarbageBudget();
        var before = GC.CollectionCount(0);
        var keep = new object[64];
        for (var i = 0; i < 4 * GarbageBudget.Bytes / 1024; i++)
        {
            keep[i % keep.Length] = new byte[1000];
        }

        budget.Spend();

        Assert.True(GC.CollectionCount(0) > before);
        GC.KeepAlive(keep);
    }
}
