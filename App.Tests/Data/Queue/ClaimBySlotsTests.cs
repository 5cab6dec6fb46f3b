using App.Data;
using App.Data.Queue;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Queue;

/// <summary>
/// Claims for a worker's free slots, type by type: each type gets at most its own number of jobs,
/// whatever order the types' jobs are in, and no job of a type that was not asked for.
/// </summary>
public abstract class ClaimBySlotsTests(DatabaseEngine engine) : IAsyncLifetime
{
    private readonly QueueFixture _f = new(engine);

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task CompleteAndClaim_TakesAtMostEachTypesFreeSlots_ThoughAnotherTypesJobsComeFirst()
    {
        for (var i = 0; i < 10; i++)
        {
            await _f.EnqueueAsync("slow", priority: JobPriority.User);
        }
        for (var i = 0; i < 10; i++)
        {
            await _f.EnqueueAsync("short");
        }

        var both = _f.Queue.CompleteAndClaim([], "worker-a", new Dictionary<string, int> { ["slow"] = 2, ["short"] = 5 });
        // The slow type's slots are full now: a claim for the short type's slots walks past its jobs.
        var shortOnly = _f.Queue.CompleteAndClaim([], "worker-a", new Dictionary<string, int> { ["slow"] = 0, ["short"] = 3 });

        Assert.Equal(new Dictionary<string, int> { ["slow"] = 2, ["short"] = 5 }, both.Claimed.CountBy(j => j.Type).ToDictionary());
        Assert.All(shortOnly.Claimed, j => Assert.Equal("short", j.Type));
        Assert.Equal(3, shortOnly.Claimed.Count);
        Assert.Equal(8, await CountAsync("slow", JobState.Pending));
        Assert.Equal(2, await CountAsync("short", JobState.Pending));
    }

    [Fact]
    public async Task ClaimForSlots_TakesEachTypesJobsByPriority_AndNoTypeNotAskedFor()
    {
        var background = await _f.EnqueueAsync("short");
        var user = await _f.EnqueueAsync("short", priority: JobPriority.User);
        await _f.EnqueueAsync("other", priority: JobPriority.User);

        var claimed = await _f.Queue.ClaimAsync("worker-a", new Dictionary<string, int> { ["short"] = 1 });

        Assert.Equal(user.Id, Assert.Single(claimed).Lease.JobId);
        Assert.Equal(JobState.Pending, (await _f.GetAsync(background.Id)).State);
        Assert.Equal(1, await CountAsync("other", JobState.Pending));
    }

    [Fact]
    public async Task ExpiredLeases_AreRescuedOnlyForTheirOwnTypesSlots()
    {
        var slow = await _f.EnqueueAsync("slow");
        Assert.Single(await _f.Queue.ClaimAsync("dead-worker", new Dictionary<string, int> { ["slow"] = 1 }));
        _f.Clock.Advance(QueueFixture.Options.LeaseDuration + TimeSpan.FromSeconds(1));

        var forShort = await _f.Queue.ClaimAsync("worker-a", new Dictionary<string, int> { ["short"] = 4 });
        var forSlow = await _f.Queue.ClaimAsync("worker-a", new Dictionary<string, int> { ["slow"] = 1 });

        Assert.Empty(forShort);
        Assert.Equal(slow.Id, Assert.Single(forSlow).Lease.JobId);
        Assert.Equal("worker-a", (await _f.GetAsync(slow.Id)).LeaseOwner);
    }

    private async Task<int> CountAsync(string type, JobState state)
    {
        await using var db = _f.Db.Open();
        return await db.Jobs.CountAsync(j => j.Type == type && j.State == state);
    }
}

public sealed class ClaimBySlotsTestsOnSqlite() : ClaimBySlotsTests(DatabaseEngine.Sqlite);

public sealed class ClaimBySlotsTestsOnPostgres() : ClaimBySlotsTests(DatabaseEngine.Postgres);
