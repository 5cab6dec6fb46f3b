using App.Data.Queue;
using App.Tests.Support;

namespace App.Tests.Data.Queue;

public sealed class QueueThroughputTests : IDisposable
{
    private readonly TempDatabase _db = TempDatabase.CreateAsync().GetAwaiter().GetResult();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task CountsFinishedJobsPerMinute_OverTheWindow_OldestFirst_WithEmptyMinutes()
    {
        var now = new DateTime(2026, 3, 1, 12, 30, 20, DateTimeKind.Utc);
        await using (var db = _db.Open())
        {
            db.Jobs.AddRange(
                Finished(JobState.Succeeded, now.AddSeconds(-5)),           // 12:30
                Finished(JobState.Succeeded, now.AddSeconds(-15)),          // 12:30
                Finished(JobState.Failed, now.AddMinutes(-1)),              // 12:29
                Finished(JobState.Succeeded, now.AddMinutes(-59)),          // 11:31, the window's first minute
                Finished(JobState.Succeeded, now.AddMinutes(-61)),          // before the window
                Finished(JobState.Cancelled, now.AddMinutes(-2)),           // not throughput
                new Job { Type = "test", State = JobState.Pending, CreatedAt = now, RunAt = now });
            await db.SaveChangesAsync();
        }

        QueueThroughput throughput;
        await using (var db = _db.Open())
        {
            throughput = await QueueThroughput.ReadAsync(db, now, 60, CancellationToken.None);
        }

        Assert.Equal(60, throughput.Minutes.Count);
        Assert.Equal(new DateTime(2026, 3, 1, 11, 31, 0, DateTimeKind.Utc), throughput.Minutes[0].Start);
        Assert.Equal(new ThroughputMinute(new DateTime(2026, 3, 1, 12, 30, 0, DateTimeKind.Utc), 2, 0), throughput.Minutes[^1]);
        Assert.Equal(new ThroughputMinute(new DateTime(2026, 3, 1, 12, 29, 0, DateTimeKind.Utc), 0, 1), throughput.Minutes[^2]);
        Assert.Equal(1, throughput.Minutes[0].Succeeded);
        Assert.Equal(3, throughput.Succeeded);
        Assert.Equal(1, throughput.Failed);
    }

    private static Job Finished(JobState state, DateTime at) => new()
    {
        Type = "test",
        State = state,
        CreatedAt = at,
        RunAt = at,
        StartedAt = at,
        FinishedAt = at,
    };
}
