using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Worker.Queue;

/// <summary>Real worker processes killed with SIGKILL at random while they work, on each engine.</summary>
public abstract class CrashRecoveryTests(DatabaseEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RunningProcess.Patience;
    private static readonly Dictionary<string, string> Settings = new() { ["Queue:LeaseDuration"] = "00:00:02" };
    private TempDatabase _db = null!;
    private readonly List<RunningProcess> _workers = [];

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync(engine);

    public Task DisposeAsync()
    {
        _workers.ForEach(w => w.Dispose());
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task FourWorkersKilledAndRestartedAtRandom_EveryJobSucceeds_WithItsEffectRecordedExactlyOnce()
    {
        const int jobs = 2000;
        var random = new Random(20261127);
        await _db.Queue().EnqueueManyAsync([.. Enumerable.Range(0, jobs)
            .Select(_ => new JobRequest(NoopHandler.JobType, $$"""{"delayMs":{{random.Next(0, 40)}},"record":true}"""))]);
        var live = Enumerable.Range(0, 4).Select(_ => Start()).ToList();

        for (var kill = 0; kill < 5; kill++)
        {
            await Eventually.TrueAsync(() => Task.FromResult(SucceededCount() >= (kill + 1) * jobs / 8), Patience, "progress between kills");
            var victim = live[random.Next(live.Count)];
            victim.Kill();
            live.Remove(victim);
            live.Add(Start());
        }

        await Eventually.TrueAsync(() => Task.FromResult(SucceededCount() == jobs), Patience, "every job to succeed");
        await using var check = _db.Open();
        var effects = await check.NoopRuns.GroupBy(r => r.JobId).Select(g => new { JobId = g.Key, Count = g.Count() }).ToListAsync();
        Assert.Equal(jobs, effects.Count);
        Assert.All(effects, e => Assert.Equal(1, e.Count));
        var byWorker = await check.NoopRuns.GroupBy(r => r.Worker).Select(g => g.Count()).ToListAsync();
        var rescued = await check.Jobs.CountAsync(j => j.Attempts > 1);
        output.WriteLine($"{byWorker.Count} workers recorded effects; {rescued} jobs needed more than one attempt");
        // Each effect was written by the worker that held the job when it completed.
        Assert.Equal(jobs, await check.NoopRuns.Join(check.Jobs, r => r.JobId, j => j.Id, (r, j) => r.Worker == j.LeaseOwner).CountAsync(same => same));
    }

    private RunningProcess Start()
    {
        var worker = RunningProcess.StartWorker(_db.ConnectionString, Settings);
        _workers.Add(worker);
        return worker;
    }

    private int SucceededCount()
    {
        using var db = _db.Open();
        return db.Jobs.Count(j => j.State == JobState.Succeeded);
    }
}

public sealed class CrashRecoveryTestsOnSqlite(ITestOutputHelper output) : CrashRecoveryTests(DatabaseEngine.Sqlite, output);

public sealed class CrashRecoveryTestsOnPostgres(ITestOutputHelper output) : CrashRecoveryTests(DatabaseEngine.Postgres, output);
