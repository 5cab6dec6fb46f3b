using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Worker.Queue;

/// <summary>Real App.Worker processes against one SQLite file.</summary>
public sealed class WorkerProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RunningProcess.Patience;
    private TempDatabase _db = null!;
    private readonly List<RunningProcess> _workers = [];

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        foreach (var w in _workers)
        {
            w.Dispose();
        }
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ThreeWorkers_Run300Jobs_EachExactlyOnce()
    {
        for (var i = 0; i < 3; i++)
        {
            Start();
        }
        await Eventually.TrueAsync(async () =>
        {
            await using var db = _db.Open();
            return await db.Workers.CountAsync() == 3;
        }, Patience, "three workers to register");

        await _db.Queue().EnqueueManyAsync([.. Enumerable.Repeat(new JobRequest(NoopHandler.JobType, """{"delayMs":10}"""), 300)]);

        var jobs = await WaitForAllAsync(j => j.State == JobState.Succeeded, "300 jobs to succeed");

        Assert.Equal(300, jobs.Count);
        // A second run of a job would have needed a second claim, and every claim counts an attempt.
        Assert.All(jobs, j => Assert.Equal(1, j.Attempts));
        var perWorker = jobs.GroupBy(j => j.LeaseOwner).ToDictionary(g => g.Key!, g => g.Count());
        output.WriteLine(string.Join(", ", perWorker.Select(p => $"{p.Key}: {p.Value}")));
        Assert.Equal(3, perWorker.Count);
    }

    [Fact]
    public async Task KilledWorker_ItsJobIsRescuedAfterTheLease_AndCompletedByAnother()
    {
        await using var origin = await FeedServer.StartAsync();
        var firstRequestArrived = new TaskCompletionSource();
        origin.Map("/slow.xml", async (context, hit) =>
        {
            if (hit == 1)
            {
                firstRequestArrived.TrySetResult();
                // The first worker hangs here until it is killed.
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync(FeedSamples.Rss(2));
        });
        var jobId = await AddFeedWithJobAsync(origin.Url("/slow.xml"));
        var lease = new Dictionary<string, string> { ["Queue:LeaseDuration"] = "00:00:02" };

        var first = Start(lease);
        await firstRequestArrived.Task.WaitAsync(Patience);
        var running = await GetJobAsync(jobId);
        Assert.Equal(JobState.Running, running.State);
        Assert.Contains($":{first.Pid}:", running.LeaseOwner);
        first.Kill();

        var second = Start(lease);
        var done = await Eventually.GetAsync(() => GetJobAsync(jobId), j => j.State == JobState.Succeeded, Patience, "the rescued job to succeed");

        Assert.Contains($":{second.Pid}:", done.LeaseOwner);
        Assert.Equal(2, done.Attempts);
        await using var db = _db.Open();
        Assert.Equal(2, await db.FeedItems.CountAsync());
    }

    [Fact]
    public async Task Sigterm_ReleasesTheRunningJobWithoutSpendingAnAttempt_AndDeregisters()
    {
        var job = await _db.Queue().EnqueueAsync(new JobRequest(NoopHandler.JobType, """{"delayMs":60000}"""));
        var worker = Start(new Dictionary<string, string> { ["Queue:ShutdownGrace"] = "00:00:00.500" });
        await Eventually.GetAsync(() => GetJobAsync(job.Id), j => j.State == JobState.Running, Patience, "the job to start");

        await worker.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.True(worker.ExitCode == 0, worker.Output);
        var released = await GetJobAsync(job.Id);
        Assert.Equal(JobState.Pending, released.State);
        Assert.Equal(0, released.Attempts);
        await using var db = _db.Open();
        Assert.Equal(0, await db.Workers.CountAsync());
    }

    [Fact]
    public async Task Sigterm_LetsAShortJobFinishWithinTheGracePeriod()
    {
        var job = await _db.Queue().EnqueueAsync(new JobRequest(NoopHandler.JobType, """{"delayMs":1500}"""));
        var worker = Start(new Dictionary<string, string> { ["Queue:ShutdownGrace"] = "00:00:20" });
        await Eventually.GetAsync(() => GetJobAsync(job.Id), j => j.State == JobState.Running, Patience, "the job to start");

        await worker.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(JobState.Succeeded, (await GetJobAsync(job.Id)).State);
    }

    [Fact]
    public async Task AWorkerStartingWhileTheLockIsHeldPastTheBusyWait_WaitsForIt_AndThenRunsJobs()
    {
        // A backup or a long purge elsewhere can hold the write lock longer than one busy wait
        // (5 s). A worker's migration check and registration met it with SQLITE_BUSY, and the
        // process exited; under a Procfile runner that stops the web too.
        RunningProcess worker;
        await using (var holder = new SqliteConnection(_db.ConnectionString))
        {
            await holder.OpenAsync();
            await using var begin = holder.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
            worker = Start();
            await Eventually.TrueAsync(
                () => Task.FromResult(worker.Output.Contains("the database is busy", StringComparison.Ordinal) || worker.HasExited),
                Patience, "the worker to meet the held lock");
            Assert.False(worker.HasExited, worker.Output);
            await using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        await _db.Queue().EnqueueAsync(new JobRequest(NoopHandler.JobType));

        var jobs = await WaitForAllAsync(j => j.State == JobState.Succeeded, "the job to succeed");
        Assert.Contains($":{worker.Pid}:", Assert.Single(jobs).LeaseOwner);
        Assert.False(worker.HasExited, worker.Output);
    }

    private RunningProcess Start(IReadOnlyDictionary<string, string>? settings = null)
    {
        var worker = RunningProcess.StartWorker(_db.ConnectionString, settings);
        _workers.Add(worker);
        return worker;
    }

    private async Task<long> AddFeedWithJobAsync(Uri url)
    {
        await using var db = _db.Open();
        var feed = new Feed { Url = url.ToString(), CreatedAt = DateTime.UtcNow };
        db.Feeds.Add(feed);
        await db.SaveChangesAsync();
        var job = await _db.Queue().EnqueueAsync(FeedJobs.Fetch(feed.Id, JobPriority.User));
        return job.Id;
    }

    private async Task<Job> GetJobAsync(long id)
    {
        await using var db = _db.Open();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    private async Task<List<Job>> WaitForAllAsync(Func<Job, bool> done, string what)
    {
        try
        {
            return await Eventually.GetAsync(async () =>
            {
                await using var db = _db.Open();
                return await db.Jobs.AsNoTracking().ToListAsync();
            }, jobs => jobs.All(done), Patience, what);
        }
        catch (TimeoutException)
        {
            foreach (var w in _workers)
            {
                output.WriteLine($"--- worker {w.Pid}\n{w.Output}");
            }
            throw;
        }
    }
}
