using App.Data.Queue;
using App.Tests.Support;
using Xunit.Abstractions;

namespace App.Tests.Data.Queue;

/// <summary>
/// What a monitor reads every few seconds (<see cref="QueueBacklog"/>) never reads the finished
/// jobs: live counts read only the live jobs' partial indexes, and the oldest due job is found by
/// seeks on the due index.
/// </summary>
public sealed class QueueBacklogPlanTests(ITestOutputHelper output) : DatabaseTest
{
    [Theory]
    [InlineData("pending", "IX_Jobs_DueByType")]
    [InlineData("running", "IX_Jobs_Lease")]
    public void LiveCounts_ReadOnlyTheirPartialIndex(string state, string index)
    {
        var plan = QueryPlan.Of(Db, state == "pending" ? QueueBacklog.PendingByType : QueueBacklog.RunningByType);
        output.WriteLine(string.Join("\n", plan));

        // A covering index is read without the rows: better still.
        Assert.All(plan.Where(s => s.Contains("Jobs", StringComparison.Ordinal)), step =>
            Assert.Matches($"USING (COVERING )?INDEX {index}$", step));
    }

    [Fact]
    public void OldestDue_SeeksTheDueIndex_WithoutAScanOrASort()
    {
        foreach (var sql in new[] { QueueBacklog.NextType, QueueBacklog.NextPriority, QueueBacklog.EarliestAtPriority })
        {
            var plan = QueryPlan.Of(Db, sql);
            output.WriteLine(string.Join("\n", plan));

            Assert.All(plan.Where(s => s.Contains("Jobs", StringComparison.Ordinal)), step =>
            {
                Assert.StartsWith("SEARCH", step);
                Assert.Contains("IX_Jobs_DueByType", step);
            });
            Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
        }
    }
}
