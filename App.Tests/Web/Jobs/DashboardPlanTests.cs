using App.Data.Queue;
using App.Tests.Support;
using App.Web.Jobs;
using Xunit.Abstractions;

namespace App.Tests.Web.Jobs;

/// <summary>
/// What /jobs and /api/queue read every few seconds keeps its plan whatever the jobs table holds:
/// no step reads every job (a scan walks only a partial index of live jobs), and the only sort is
/// over the running jobs (a handful per worker).
/// </summary>
public sealed class DashboardPlanTests(ITestOutputHelper output) : DatabaseTest
{
    [Fact]
    public void Counts_CountLiveJobsOnTheirPartialIndexes_AndReadFinishedOnesFromTheCounters()
    {
        var plan = Show(QueryPlan.Of(Db, JobSql.Sqlite.Counts));

        Assert.Contains("SCAN Jobs USING COVERING INDEX IX_Jobs_DueByType", plan);
        Assert.Contains("SCAN Jobs USING COVERING INDEX IX_Jobs_Lease", plan);
        Assert.Equal(3, plan.Count(s => s.StartsWith("SEARCH JobStateCounts USING INDEX sqlite_autoindex_JobStateCounts_1 (State=?)", StringComparison.Ordinal)));
        Assert.DoesNotContain(plan, s => s.Contains("IX_Jobs_StateFinished", StringComparison.Ordinal));
        AssertNoScanOfJobs(plan);
    }

    [Fact]
    public void Failures_WalkTheStateFinishedIndexBackwards_WithoutASort()
    {
        using var db = Db.Open();
        var plan = Show(QueryPlan.Of(Db, DashboardJobs.Failures(db)));

        // FinishedAt>? is the partial index's own condition (IS NOT NULL), not a bound on the walk.
        Assert.Contains(plan, s => s.EndsWith("USING INDEX IX_Jobs_StateFinished (State=? AND FinishedAt>?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
        AssertNoScanOfJobs(plan);
    }

    [Fact]
    public void Retrying_IsAnOrderedWalkOfItsPartialIndex()
    {
        using var db = Db.Open();
        var plan = Show(QueryPlan.Of(Db, DashboardJobs.Retrying(db)));

        Assert.Contains(plan, s => s.Contains("USING INDEX IX_Jobs_Retrying", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
        AssertNoScanOfJobs(plan);
    }

    [Fact]
    public void Running_ReadsOnlyRunningJobs()
    {
        using var db = Db.Open();
        var plan = Show(QueryPlan.Of(Db, DashboardJobs.Running(db)));

        // The running jobs' own partial index, then a sort of what it found: at most a worker's slots each.
        Assert.Contains(plan, s => s.Contains("USING INDEX IX_Jobs_Lease", StringComparison.Ordinal));
        AssertNoScanOfJobs(plan);
    }

    [Fact]
    public void Throughput_SeeksTheLastHourOnTheStateFinishedIndex()
    {
        using var db = Db.Open();
        var plan = Show(QueryPlan.Of(Db, QueueThroughput.CountsSince(db, DateTime.UtcNow.AddHours(-1))));

        Assert.Contains(plan, s => s.Contains("USING COVERING INDEX IX_Jobs_StateFinished (State=? AND FinishedAt>?)", StringComparison.Ordinal));
        AssertNoScanOfJobs(plan);
    }

    private IReadOnlyList<string> Show(IReadOnlyList<string> plan)
    {
        output.WriteLine(string.Join("\n", plan));
        return plan;
    }

    // A scan is allowed only of a partial index that holds live jobs alone; EF Core calls the table j.
    private static void AssertNoScanOfJobs(IReadOnlyList<string> plan) =>
        Assert.All(plan.Where(s => s.StartsWith("SCAN Jobs", StringComparison.Ordinal) || s.StartsWith("SCAN j", StringComparison.Ordinal)),
            s => Assert.Matches("USING (COVERING )?INDEX (IX_Jobs_DueByType|IX_Jobs_Lease|IX_Jobs_Retrying)$", s));
}
