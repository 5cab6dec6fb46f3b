using App.Data;
using App.Data.Queue;
using App.Data.Writes;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace App.Tests.Data.Queue;

/// <summary>A fresh database on <paramref name="engine"/>, a fake clock and a queue on them, plus helpers that put a job into any state.</summary>
public sealed class QueueFixture(DatabaseEngine engine = DatabaseEngine.Sqlite) : IAsyncLifetime
{
    public static readonly QueueOptions Options = new()
    {
        MaxAttempts = 3,
        LeaseDuration = TimeSpan.FromSeconds(30),
        RetryBaseDelay = TimeSpan.FromSeconds(10),
        RetryMaxDelay = TimeSpan.FromMinutes(5),
    };

    public TempDatabase Db { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = TempDatabase.FakeClock();

    public JobQueue Queue { get; private set; } = null!;

    /// <summary>The write lane <see cref="Queue"/> writes through.</summary>
    public WriteLane Lane { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Db = await TempDatabase.CreateAsync(engine);
        Lane = Db.NewLane();
        Queue = Db.Queue(Clock, Options, Lane);
    }

    public Task DisposeAsync()
    {
        Db.Dispose();
        return Task.CompletedTask;
    }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public async Task<Job> GetAsync(long id)
    {
        await using var db = Db.Open();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    public Task<Job> EnqueueAsync(string type = "test", string? uniqueKey = null, int priority = 0) =>
        Queue.EnqueueAsync(new JobRequest(type) { UniqueKey = uniqueKey, Priority = priority });

    /// <summary>Claims exactly one job (the only due one) for <paramref name="owner"/>.</summary>
    public async Task<ClaimedJob> ClaimOneAsync(string owner = "worker-a")
    {
        var claimed = await Queue.ClaimAsync(owner, 1);
        return Assert.Single(claimed);
    }

    /// <summary>A job brought into <paramref name="state"/> through the queue's own API.</summary>
    public async Task<Job> JobInStateAsync(JobState state)
    {
        var job = await EnqueueAsync();
        switch (state)
        {
            case JobState.Pending:
                break;
            case JobState.Running:
                await ClaimOneAsync();
                break;
            case JobState.Succeeded:
                Assert.True(await Queue.CompleteAsync((await ClaimOneAsync()).Lease));
                break;
            case JobState.Failed:
                Assert.Equal(FailOutcome.Failed, await Queue.FailAsync((await ClaimOneAsync()).Lease, "broken", retryable: false));
                break;
            case JobState.Cancelled:
                Assert.True(await Queue.CancelAsync(job.Id));
                break;
        }
        var stored = await GetAsync(job.Id);
        Assert.Equal(state, stored.State);
        return stored;
    }
}
