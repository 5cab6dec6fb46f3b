using App.Data.Queue;
using App.Tests.Support;
using Xunit.Abstractions;

namespace App.Tests.Data.Queue;

/// <summary>
/// The queue's statements that run under the write lock keep their plans whatever the table holds:
/// each reads the jobs table through an index, never by a scan, and sorts nothing.
/// </summary>
public sealed class QueuePlanTests(ITestOutputHelper output) : DatabaseTest
{
    [Fact]
    public void Purge_WalksTheStateFinishedIndex_WithoutAScanOrASort()
    {
        var plan = QueryPlan.Of(Db, JobSql.Sqlite.Purgeable);
        output.WriteLine(string.Join("\n", plan));

        Assert.All(plan.Where(s => s.Contains("Jobs", StringComparison.Ordinal)),
            step => Assert.Contains("USING INDEX IX_Jobs_StateFinished", step));
        Assert.DoesNotContain(plan, s => s.StartsWith("SCAN", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public void ClaimOfAType_SeeksItsFirstDueJob_WithoutWalkingOtherTypesOrSorting()
    {
        // A worker claims each type for that type's free slots: pending jobs of types whose slots
        // are full must cost the claim nothing, however many there are.
        var plan = QueryPlan.Of(Db, JobSql.Sqlite.ClaimDue);
        output.WriteLine(string.Join("\n", plan));

        Assert.Contains(plan, s => s.StartsWith("SEARCH Jobs USING", StringComparison.Ordinal)
            && s.Contains("INDEX IX_Jobs_DueByType (Type=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.StartsWith("SCAN", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(JobSql.Sqlite.Rescue))]
    [InlineData(nameof(JobSql.Sqlite.AnyClaimable))]
    public void RescueAndTheClaimableCheckOfAType_SeekTheirIndexes(string statement)
    {
        var sql = (string)typeof(JobSql).GetProperty(statement)!.GetValue(JobSql.Sqlite)!;
        var plan = QueryPlan.Of(Db, sql);
        output.WriteLine(string.Join("\n", plan));

        Assert.Contains(plan, s => s.Contains("INDEX IX_Jobs_Lease (LeaseExpiresAt<?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.StartsWith("SCAN Jobs", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(JobSql.Sqlite.Complete))]
    [InlineData(nameof(JobSql.Sqlite.Renew))]
    [InlineData(nameof(JobSql.Sqlite.Release))]
    public void LeaseFencedWritesForManyLeases_FindEachJobByItsId(string statement)
    {
        // A pass's completions are one statement over a JSON array of leases: each must be a rowid
        // look-up. Left to itself, SQLite scanned the running jobs on the state index instead.
        var sql = (string)typeof(JobSql).GetProperty(statement)!.GetValue(JobSql.Sqlite)!;
        var plan = QueryPlan.Of(Db, ((SqliteJobSql)JobSql.Sqlite).ForManyLeases(sql));
        output.WriteLine(string.Join("\n", plan));

        Assert.Contains(plan, s => s.StartsWith("SEARCH Jobs USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.StartsWith("SCAN Jobs", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("IX_Jobs", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }
}
