using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Feeds;

public sealed class RefreshScheduleTests
{
    private static readonly DateTime Now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(DatabaseEngine.Sqlite)]
    [InlineData(DatabaseEngine.Postgres)]
    public async Task DueFeedsGetOneBackgroundJob_FeedsNotYetDueOrBusyGetNone(DatabaseEngine engine)
    {
        using var temp = await TempDatabase.CreateAsync(engine);
        await using var db = temp.Open();
        var never = new Feed { Url = "https://a.example/feed", CreatedAt = Now };
        var recent = new Feed { Url = "https://b.example/feed", CreatedAt = Now };
        var stale = new Feed { Url = "https://c.example/feed", CreatedAt = Now };
        var busy = new Feed { Url = "https://d.example/feed", CreatedAt = Now };
        var due = new Feed { Url = "https://e.example/feed", CreatedAt = Now, NextRefreshAt = Now.AddSeconds(-1) };
        var backingOff = new Feed { Url = "https://f.example/feed", CreatedAt = Now, NextRefreshAt = Now.AddHours(3), ConsecutiveFailures = 2 };
        var dueButBusy = new Feed { Url = "https://g.example/feed", CreatedAt = Now, NextRefreshAt = Now.AddHours(-1) };
        db.Feeds.AddRange(never, recent, stale, busy, due, backingOff, dueButBusy);
        await db.SaveChangesAsync();
        db.Jobs.AddRange(
            FetchJob(recent.Id, JobState.Succeeded, createdAt: Now.AddMinutes(-10)),
            FetchJob(stale.Id, JobState.Succeeded, createdAt: Now.AddHours(-2)),
            FetchJob(busy.Id, JobState.Pending, createdAt: Now.AddHours(-3)),
            FetchJob(dueButBusy.Id, JobState.Running, createdAt: Now.AddHours(-3)),
            FetchJob(backingOff.Id, JobState.Failed, createdAt: Now.AddHours(-5)));
        await db.SaveChangesAsync();

        using var lane = temp.NewLane();
        var added = await FeedJobs.EnqueueDueRefreshesAsync(lane, Now, Now - Interval, 5, CancellationToken.None);
        var again = await FeedJobs.EnqueueDueRefreshesAsync(lane, Now, Now - Interval, 5, CancellationToken.None);

        Assert.Equal(3, added);
        Assert.Equal(0, again);
        var created = await db.Jobs.AsNoTracking().Where(j => j.CreatedAt == Now).ToListAsync();
        Assert.Equal(new[] { never.Id, stale.Id, due.Id }.Order(), created.Select(j => j.FeedId!.Value).Order());
        Assert.All(created, j =>
        {
            Assert.Equal(JobState.Pending, j.State);
            Assert.Equal(FeedJobs.FetchFeed, j.Type);
            Assert.Equal(FeedJobs.UniqueKey(j.FeedId!.Value), j.UniqueKey);
            // The feed is in the FeedId column, once; the payload is empty, as for a job the web creates.
            Assert.Equal(FeedJobs.Fetch(j.FeedId!.Value, JobPriority.Background).Payload, j.Payload);
            Assert.Equal(JobPriority.Background, j.Priority);
            Assert.Equal(5, j.MaxAttempts);
        });
    }

    [Fact]
    public async Task ADisabledFeed_GetsNoBackgroundJob_HoweverDue_UntilItIsEnabledAgain()
    {
        using var temp = await TempDatabase.CreateAsync();
        await using var db = temp.Open();
        var disabledDue = new Feed { Url = "https://a.example/feed", CreatedAt = Now, NextRefreshAt = Now.AddHours(-2), Disabled = true };
        var disabledNeverFetched = new Feed { Url = "https://b.example/feed", CreatedAt = Now, Disabled = true };
        var enabledDue = new Feed { Url = "https://c.example/feed", CreatedAt = Now, NextRefreshAt = Now.AddHours(-2) };
        db.Feeds.AddRange(disabledDue, disabledNeverFetched, enabledDue);
        await db.SaveChangesAsync();

        using var lane = temp.NewLane();
        var added = await FeedJobs.EnqueueDueRefreshesAsync(lane, Now, Now - Interval, 5, CancellationToken.None);

        Assert.Equal(1, added);
        Assert.Equal(enabledDue.Id, (await db.Jobs.AsNoTracking().SingleAsync()).FeedId);

        disabledDue.Disabled = false;
        await db.SaveChangesAsync();
        Assert.Equal(1, await FeedJobs.EnqueueDueRefreshesAsync(lane, Now, Now - Interval, 5, CancellationToken.None));
        Assert.Contains(disabledDue.Id, await db.Jobs.AsNoTracking().Select(j => j.FeedId).ToListAsync());
    }

    [Fact]
    public async Task DueRefreshes_TakeTheirTurnInTheProcesssLane_WhileItWritesBackToBack()
    {
        // A worker's lane passes the write lock from one completion to the next within
        // microseconds. The scheduler's statement, on a connection of its own, waited for the lock
        // in its busy handler and got it only when a 1 ms try fell between two turns: through 37 to
        // 48 turns when measured (or none for 5 s, and a failed run). In the lane it waits for one turn at most.
        using var temp = await TempDatabase.CreateAsync();
        await using (var db = temp.Open())
        {
            db.Feeds.AddRange(
                new Feed { Url = "https://busy.example/feed", CreatedAt = Now, NextRefreshAt = Now.AddHours(5) },
                new Feed { Url = "https://due.example/feed", CreatedAt = Now, NextRefreshAt = Now.AddSeconds(-1) });
            await db.SaveChangesAsync();
        }
        using var lane = temp.NewLane();
        long turns = 0;
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await lane.InWriteTransactionAsync(c =>
                {
                    c.Statement("UPDATE \"Feeds\" SET \"ConsecutiveFailures\" = \"ConsecutiveFailures\" + 1 WHERE \"Url\" = 'https://busy.example/feed'").ExecuteNonQuery();
                    Thread.Sleep(5);
                    return 0;
                });
                Interlocked.Increment(ref turns);
            }
        });
        int added;
        long during;
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(Interlocked.Read(ref turns) >= 20), TimeSpan.FromSeconds(30), "the lane to write");
            var before = Interlocked.Read(ref turns);
            added = await FeedJobs.EnqueueDueRefreshesAsync(lane, Now, Now - Interval, 5, CancellationToken.None);
            during = Interlocked.Read(ref turns) - before;
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        Assert.Equal(1, added);
        Assert.True(during <= 2, $"the scheduler waited through {during} turns of the lane");
    }

    [Fact]
    public async Task DueRefreshes_ReadsTheJobsTableThroughIndexes_NeverByAScan()
    {
        // The statement holds the write lock while it runs: a scan of the jobs table per feed
        // (once per never-fetched feed) would hold it for as long as the table is large.
        using var temp = await TempDatabase.CreateAsync();

        var plan = QueryPlan.Of(temp, FeedJobs.DueRefreshes(DatabaseEngine.Sqlite));

        var jobSteps = plan.Where(s => s.Contains("recent", StringComparison.Ordinal) || s.Contains("live", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, jobSteps.Count);
        Assert.All(jobSteps, step => Assert.StartsWith("SEARCH", step));
        Assert.All(jobSteps, step => Assert.Contains("INDEX", step));
    }

    private static Job FetchJob(long feedId, JobState state, DateTime createdAt) => new()
    {
        Type = FeedJobs.FetchFeed,
        FeedId = feedId,
        UniqueKey = FeedJobs.UniqueKey(feedId),
        State = state,
        RunAt = createdAt,
        CreatedAt = createdAt,
        MaxAttempts = 5,
    };
}
