using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Queue;

/// <summary>
/// The queue's counts by state (what <c>/api/queue</c> and the dashboard show) read counters for
/// finished jobs, kept by the queue's writes and by triggers: they must equal a count of the rows
/// after every way a job can enter or leave a finished state.
/// </summary>
public abstract class JobStateCountTests(DatabaseEngine engine) : IAsyncLifetime
{
    private readonly QueueFixture _f = new(engine);

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task Counts_EqualTheRows_AfterEveryTransition_ThePurge_AndADeletedFeedsCascade()
    {
        await AssertCountsMatchAsync();
        // A failed attempt with attempts left goes back to pending (not due yet: later claims leave it).
        await _f.EnqueueAsync();
        Assert.Equal(FailOutcome.WillRetry, await _f.Queue.FailAsync((await _f.ClaimOneAsync()).Lease, "flaky", retryable: true));
        await AssertCountsMatchAsync();
        // Completed with effects (an EF Core transaction), by a worker's pass, and a lost lease that counts nothing.
        await _f.EnqueueAsync();
        var withEffects = await _f.ClaimOneAsync();
        Assert.True(await _f.Queue.CompleteAsync(withEffects.Lease, (_, _) => Task.CompletedTask));
        Assert.False(await _f.Queue.CompleteAsync(withEffects.Lease, (_, _) => Task.CompletedTask));
        await _f.EnqueueAsync();
        var byPass = await _f.ClaimOneAsync();
        Assert.True(_f.Queue.CompleteAndClaim([byPass.Lease], "worker-a", new Dictionary<string, int>()).Completed.Single());
        Assert.False((await _f.Queue.CompleteManyAsync([byPass.Lease])).Single());
        await AssertCountsMatchAsync();
        // A feed's deletion takes its finished jobs along (the foreign key's cascade).
        var feed = await _f.Db.AddFeedAsync("https://gone.example/feed");
        await _f.Queue.EnqueueAsync(new JobRequest("fetch") { FeedId = feed.Id });
        Assert.True(await _f.Queue.CompleteAsync((await _f.ClaimOneAsync()).Lease));
        await _f.Queue.EnqueueAsync(new JobRequest("fetch") { FeedId = feed.Id });
        Assert.Equal(FailOutcome.Failed, await _f.Queue.FailAsync((await _f.ClaimOneAsync()).Lease, "gone", retryable: false));
        await AssertCountsMatchAsync();
        await using (var db = _f.Db.Open())
        {
            await db.Feeds.Where(f => f.Id == feed.Id).ExecuteDeleteAsync();
        }
        await AssertCountsMatchAsync();
        // Pending last: a helper that claims takes the one due pending job.
        foreach (var state in new[] { JobState.Running, JobState.Succeeded, JobState.Failed, JobState.Cancelled, JobState.Pending })
        {
            for (var i = 0; i < 2; i++)
            {
                await _f.JobInStateAsync(state);
                await AssertCountsMatchAsync();
            }
        }

        // Back out of finished states: retried jobs are pending again.
        await using (var db = _f.Db.Open())
        {
            foreach (var id in await db.Jobs.Where(j => j.State == JobState.Failed || j.State == JobState.Cancelled).Select(j => j.Id).ToListAsync())
            {
                Assert.True(await _f.Queue.RetryAsync(id));
            }
        }
        await AssertCountsMatchAsync();

        // Abandoned (lease expired with no attempts left), and failed after retries.
        var abandoned = await _f.EnqueueAsync("abandon-me");
        for (var attempt = 0; attempt < QueueFixture.Options.MaxAttempts; attempt++)
        {
            _f.Clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(abandoned.Id, (await _f.Queue.ClaimAsync("worker-a", 10)).Single(c => c.Lease.JobId == abandoned.Id).Lease.JobId);
        }
        _f.Clock.Advance(TimeSpan.FromHours(1));
        await _f.Queue.ClaimAsync("worker-b", 10);
        Assert.Equal(JobState.Failed, (await _f.GetAsync(abandoned.Id)).State);
        await AssertCountsMatchAsync();

        _f.Clock.Advance(TimeSpan.FromDays(40));
        Assert.True(await _f.Queue.PurgeFinishedAsync(batchSize: 2) > 0);
        await AssertCountsMatchAsync();
        var stats = await ReadStatsAsync();
        Assert.Equal((0, 0, 0), (stats.Succeeded, stats.Failed, stats.Cancelled));
    }

    private async Task<QueueStats> ReadStatsAsync()
    {
        await using var db = _f.Db.Open();
        return await QueueStats.ReadAsync(db, default);
    }

    private async Task AssertCountsMatchAsync()
    {
        await using var db = _f.Db.Open();
        var rows = await db.Jobs.GroupBy(j => j.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        var stats = await QueueStats.ReadAsync(db, default);
        int Rows(JobState s) => rows.GetValueOrDefault(s);
        Assert.Equal(
            (Rows(JobState.Pending), Rows(JobState.Running), Rows(JobState.Succeeded), Rows(JobState.Failed), Rows(JobState.Cancelled)),
            (stats.Pending, stats.Running, stats.Succeeded, stats.Failed, stats.Cancelled));
    }
}

public sealed class JobStateCountTestsOnSqlite() : JobStateCountTests(DatabaseEngine.Sqlite)
{
    [Fact]
    public async Task Migration_CountsTheJobsADatabaseAlreadyHas()
    {
        using var old = await TempDatabase.CreateAtAsync("20261130113120_Accounts");
        await using (var connection = new SqliteConnection(old.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO "Jobs" ("Type", "Payload", "State", "Priority", "RunAt", "Attempts", "MaxAttempts", "CreatedAt", "FinishedAt", "Version")
                SELECT 'old', '{}', s.value, 0, '2026-01-01 00:00:00', 1, 3, '2026-01-01 00:00:00',
                       CASE WHEN s.value IN ('pending', 'running') THEN NULL ELSE '2026-01-01 00:00:00' END, 1
                FROM json_each('["succeeded","succeeded","succeeded","failed","failed","cancelled","pending"]') AS s
                """;
            await insert.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();

        await using var db = old.Open();
        await DatabaseSetup.MigrateAsync(db, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));
        var stats = await QueueStats.ReadAsync(db, default);

        Assert.Equal((1, 0, 3, 2, 1), (stats.Pending, stats.Running, stats.Succeeded, stats.Failed, stats.Cancelled));
        // The counts' table was rebuilt by a later migration (split into rows): its delete trigger still counts.
        await db.Jobs.Where(j => j.State == JobState.Succeeded).Take(1).ExecuteDeleteAsync();
        Assert.Equal(2, (await QueueStats.ReadAsync(db, default)).Succeeded);
    }
}

public sealed class JobStateCountTestsOnPostgres() : JobStateCountTests(DatabaseEngine.Postgres);
