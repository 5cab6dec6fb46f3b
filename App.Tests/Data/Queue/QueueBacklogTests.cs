using App.Data;
using App.Data.Queue;

namespace App.Tests.Data.Queue;

/// <summary>What the monitors read of the queue's backlog (readiness, /metrics), on each engine.</summary>
public abstract class QueueBacklogTests(DatabaseEngine engine) : IAsyncLifetime
{
    private readonly QueueFixture _f = new(engine);

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task LiveByType_CountsPendingAndRunningJobsOfEachType()
    {
        await _f.EnqueueAsync("fetch");
        await _f.EnqueueAsync("fetch");
        await _f.EnqueueAsync("icon");
        await _f.Queue.ClaimAsync("worker-a", new Dictionary<string, int> { ["fetch"] = 1 });

        await using var db = _f.Db.Open();
        var (pending, running) = await QueueBacklog.LiveByTypeAsync(db, default);

        Assert.Equal(new Dictionary<string, long> { ["fetch"] = 1, ["icon"] = 1 }, pending);
        Assert.Equal(new Dictionary<string, long> { ["fetch"] = 1 }, running);
    }

    [Fact]
    public async Task OldestDue_IsTheEarliestDueTimeOverTypesAndPriorities_IgnoringJobsNotYetDue()
    {
        var now = _f.Now;
        await _f.Queue.EnqueueAsync(new JobRequest("fetch") { RunAt = now.AddMinutes(-5), Priority = 10 });
        await _f.Queue.EnqueueAsync(new JobRequest("fetch") { RunAt = now.AddMinutes(-2) });
        await _f.Queue.EnqueueAsync(new JobRequest("icon") { RunAt = now.AddMinutes(-9), Priority = -5 });
        await _f.Queue.EnqueueAsync(new JobRequest("icon") { RunAt = now.AddMinutes(30), Priority = 20 });

        await using var db = _f.Db.Open();

        Assert.Equal(now.AddMinutes(-9), await QueueBacklog.OldestDueAsync(db, now, default));
        Assert.Null(await QueueBacklog.OldestDueAsync(db, now.AddMinutes(-10), default));
    }
}

public sealed class QueueBacklogTestsOnSqlite() : QueueBacklogTests(DatabaseEngine.Sqlite);

public sealed class QueueBacklogTestsOnPostgres() : QueueBacklogTests(DatabaseEngine.Postgres);
