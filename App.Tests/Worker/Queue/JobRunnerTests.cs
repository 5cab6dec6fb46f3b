using App.Data;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Data.Writes;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Queue;

/// <summary>The job runner in-process, with handlers scripted by the test, on a real database.</summary>
public sealed class JobRunnerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TempDatabase _db = null!;
    private ServiceProvider _services = null!;
    private readonly ScriptedHandler _handler = new();

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = _db.ConnectionString,
            ["Queue:LeaseDuration"] = "00:00:01.500",
            ["Queue:TimeoutGrace"] = "00:00:00.300",
        }).Build();
        _services = new ServiceCollection().AddLogging()
            .AddAppDatabase(configuration).AddQueueWorker()
            .AddSingleton<IJobHandler>(_handler)
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await Runner.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        _db.Dispose();
    }

    private JobRunner Runner => _services.GetRequiredService<JobRunner>();

    private JobQueue Queue => _services.GetRequiredService<JobQueue>();

    private WriteLane Lane => _services.GetRequiredService<WriteLane>();

    [Fact]
    public async Task AttemptPastTheHandlersTimeout_IsCancelled_AndRecordedAsATimedOutAttempt()
    {
        _handler.Script = async (_, ct) => await Task.Delay(Timeout.Infinite, ct);
        var job = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));

        await Runner.PumpAsync(CancellationToken.None);

        var failed = await WaitForAsync(job.Id, j => j.State == JobState.Pending && j.LastError is not null);
        Assert.Equal("Timed out after 0.3 s", failed.LastError);
        Assert.Equal(1, failed.Attempts);
        // On a loaded machine the give-up after the grace can record the timeout before the
        // handler's cancelled wait has come back to it; the handler must still see its token fire.
        await Eventually.TrueAsync(() => Task.FromResult(_handler.SawCancellation), Patience, "the handler to be cancelled");
    }

    [Fact]
    public async Task HandlerThatIgnoresItsTimeout_IsGivenUpAfterTheGrace_ItsLeaseNoLongerRenewedAndItsSlotFreed()
    {
        // A handler stuck in work that does not look at its token (a synchronous parse, a write
        // with no token) must not hold its job and its slot for ever.
        var stuck = new TaskCompletionSource();
        var lateCompletion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _handler.Script = async (run, _) =>
        {
            await stuck.Task;
            lateCompletion.SetResult(await run.CompleteAsync(null, CancellationToken.None));
        };
        var job = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));

        await Runner.PumpAsync(CancellationToken.None);

        var failed = await WaitForAsync(job.Id, j => j.State == JobState.Pending && j.LastError is not null);
        Assert.Equal("Timed out after 0.3 s", failed.LastError);
        Assert.Null(failed.LeaseExpiresAt);
        await Eventually.TrueAsync(() => Task.FromResult(Runner.RunningCount == 0), Patience, "the slot to be freed");

        // When the handler finally finishes, its completion is refused: the job was handed on.
        stuck.SetResult();
        Assert.False(await lateCompletion.Task.WaitAsync(Patience));
        Assert.Equal(JobState.Pending, (await WaitForAsync(job.Id, _ => true)).State);
    }

    [Fact]
    public async Task HandlerThatThrows_FailsTheAttemptWithItsMessage_AndTheRunnerGoesOn()
    {
        _handler.Script = (run, _) => run.Job.Payload.Contains("boom")
            ? throw new InvalidOperationException("The thing broke.")
            : Task.CompletedTask;
        var bad = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType, """{"boom":true}"""));
        var good = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));

        await Runner.PumpAsync(CancellationToken.None);

        Assert.Equal(JobState.Succeeded, (await WaitForAsync(good.Id, j => j.State == JobState.Succeeded)).State);
        var failed = await WaitForAsync(bad.Id, j => j.LastError is not null);
        Assert.Equal("The thing broke.", failed.LastError);
        Assert.Equal(JobState.Pending, failed.State);
    }

    [Fact]
    public async Task ACompletionWhoseWriteFails_RecordsThatError_InsteadOfLeavingTheJobRunning()
    {
        // The job's effects fail to commit (a unique index, a full disk): the attempt failed, and says why.
        _handler.Script = (run, ct) => run.CompleteAsync((_, _) => throw new IOException("Disk full (simulated)."), ct);
        var job = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));

        await Runner.PumpAsync(CancellationToken.None);

        var failed = await WaitForAsync(job.Id, j => j.LastError is not null);
        Assert.Equal("Disk full (simulated).", failed.LastError);
        Assert.Equal(JobState.Pending, failed.State);
        Assert.Equal(1, failed.Attempts);
    }

    [Fact]
    public async Task JobOfATypeWithoutAHandler_IsLeftPendingForAWorkerThatHasOne()
    {
        // A worker claims each type it runs for that type's slots, and no other type. In a rolling
        // upgrade a job of a type only the newer release knows waits for one of its workers,
        // instead of being failed for good by an older one ("No handler", as it was before).
        var unknown = await Queue.EnqueueAsync(new JobRequest("no-such-type") { Priority = JobPriority.User });
        var known = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));

        await Runner.PumpAsync(CancellationToken.None);

        await WaitForAsync(known.Id, j => j.State == JobState.Succeeded);
        var left = await WaitForAsync(unknown.Id, _ => true);
        Assert.Equal((JobState.Pending, 0, (string?)null), (left.State, left.Attempts, left.LastError));
    }

    [Fact]
    public async Task HandlerWhoseLeaseWasTakenOver_IsCancelled_AndWritesNothing()
    {
        var started = new TaskCompletionSource();
        _handler.Script = async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        };
        var job = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));
        await Runner.PumpAsync(CancellationToken.None);
        await started.Task.WaitAsync(Patience);

        // Another worker takes the job over, as a rescue would: new owner, new version.
        await using (var db = _db.Open())
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"UPDATE \"Jobs\" SET \"LeaseOwner\" = 'other-worker', \"Version\" = \"Version\" + 1 WHERE \"Id\" = {job.Id}");
        }

        await Eventually.TrueAsync(() => Task.FromResult(_handler.SawCancellation), Patience, "the handler to be cancelled");
        await Eventually.TrueAsync(() => Task.FromResult(Runner.RunningCount == 0), Patience, "the runner to let go");
        var stored = await WaitForAsync(job.Id, _ => true);
        Assert.Equal(JobState.Running, stored.State);
        Assert.Equal("other-worker", stored.LeaseOwner);
        Assert.Null(stored.LastError);
    }

    [Fact]
    public async Task Stop_WritesACompletionThatArrivesWithTheStop_AndReturns()
    {
        var started = new TaskCompletionSource();
        var finish = new TaskCompletionSource();
        _handler.Script = async (_, _) =>
        {
            started.TrySetResult();
            await finish.Task;
        };
        var job = await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));
        await Runner.PumpAsync(CancellationToken.None);
        await started.Task.WaitAsync(Patience);

        // While the claim loop waits for the queue's write gate, the job's completion and the stop
        // both reach it: the pass after that writes the completion, and then the loop must end.
        Task stopping;
        using (await Lane.EnterAsync(CancellationToken.None))
        {
            await Runner.PumpAsync(CancellationToken.None);
            finish.SetResult();
            await Eventually.TrueAsync(() => Task.FromResult(Runner.RunningCount == 0), Patience, "the job to finish");
            stopping = Runner.StopAsync(CancellationToken.None);
        }
        await stopping.WaitAsync(Patience);

        Assert.Equal(JobState.Succeeded, (await WaitForAsync(job.Id, _ => true)).State);
    }

    [Fact]
    public async Task Stop_HandsBackJobsClaimedAheadAndTheJobStillRunning_WithoutSpendingAttempts()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = _db.ConnectionString,
            ["Queue:Concurrency"] = "1",
            ["Queue:ShutdownGrace"] = "00:00:00.200",
        }).Build();
        var blocking = new BlockingHandler();
        await using var services = new ServiceCollection().AddLogging()
            .AddAppDatabase(configuration).AddQueueWorker()
            .AddSingleton<IJobHandler>(blocking)
            .BuildServiceProvider();
        var runner = services.GetRequiredService<JobRunner>();
        var queue = services.GetRequiredService<JobQueue>();
        // Quick jobs first teach the runner that jobs are short, so it claims ahead; then one job
        // holds the only slot while the jobs behind it wait, some of them claimed ahead.
        for (var i = 0; i < 200; i++)
        {
            await queue.EnqueueAsync(new JobRequest(BlockingHandler.JobType));
        }
        await queue.EnqueueAsync(new JobRequest(BlockingHandler.JobType, """{"block":true}"""));
        for (var i = 0; i < 50; i++)
        {
            await queue.EnqueueAsync(new JobRequest(BlockingHandler.JobType));
        }

        await runner.PumpAsync(CancellationToken.None);
        await blocking.Blocked.Task.WaitAsync(Patience);
        await runner.StopAsync(CancellationToken.None);

        await using var db = _db.Open();
        var jobs = await db.Jobs.AsNoTracking().ToListAsync();
        Assert.DoesNotContain(jobs, j => j.State == JobState.Running);
        Assert.All(jobs.Where(j => j.State != JobState.Succeeded), j =>
        {
            Assert.Equal(JobState.Pending, j.State);
            Assert.Equal(0, j.Attempts);
        });
        Assert.Equal(JobState.Pending, jobs.Single(j => j.Payload.Contains("block")).State);
    }

    [Fact]
    public async Task Stop_HandsBackJobsThatAClaimInFlightReturns_BeforeItReturns()
    {
        // A claim that was under way when the stop began returns its jobs to a runner that no
        // longer takes any: they must be handed back before the worker deregisters and exits, or
        // they wait out their leases with an attempt spent.
        for (var i = 0; i < 3; i++)
        {
            await Queue.EnqueueAsync(new JobRequest(ScriptedHandler.JobType));
        }
        using var other = SqliteConnectionSetup.OpenRaw(_db.ConnectionString);
        SqliteConnectionSetup.BeginImmediate(other);
        await Runner.PumpAsync(CancellationToken.None);
        // The claim pass holds the queue's write gate while it waits for the database lock; the
        // test queues for the gate behind it, so it gets the gate the moment the claim commits.
        var gate = await Eventually.GetAsync(async () =>
        {
            var entered = Lane.EnterAsync(CancellationToken.None);
            if (entered.IsCompleted)
            {
                (await entered).Dispose();
                return null;
            }
            return entered;
        }, g => g is not null, Patience, "the claim pass to hold the write gate");

        var stop = Runner.StopAsync(CancellationToken.None);
        Execute(other, "ROLLBACK");
        using (await gate!)
        {
            // While the test holds the gate no hand-back can be written, so the stop cannot be over.
            await Assert.ThrowsAsync<TimeoutException>(() => stop.WaitAsync(TimeSpan.FromSeconds(2)));
        }
        await stop.WaitAsync(Patience);

        await using var db = _db.Open();
        var jobs = await db.Jobs.AsNoTracking().ToListAsync();
        Assert.All(jobs, j => Assert.Equal((JobState.Pending, 0), (j.State, j.Attempts)));
        Assert.Equal(0, await db.Workers.CountAsync());
    }

    private static void Execute(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task<Job> WaitForAsync(long id, Func<Job, bool> done) =>
        await Eventually.GetAsync(async () =>
        {
            await using var db = _db.Open();
            return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
        }, done, Patience, $"job {id}");

    private sealed class ScriptedHandler : IJobHandler
    {
        public const string JobType = "scripted";

        public Func<JobRun, CancellationToken, Task> Script { get; set; } = (_, _) => Task.CompletedTask;

        private volatile bool _sawCancellation;

        public bool SawCancellation => _sawCancellation;

        public string Type => JobType;

        public TimeSpan Timeout => TimeSpan.FromMilliseconds(300);

        public async Task RunAsync(JobRun run, CancellationToken ct)
        {
            try
            {
                await Script(run, ct);
            }
            catch (OperationCanceledException)
            {
                _sawCancellation = true;
                throw;
            }
        }
    }

    private sealed class BlockingHandler : IJobHandler
    {
        public const string JobType = "blocking";

        public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Type => JobType;

        public TimeSpan Timeout => TimeSpan.FromMinutes(1);

        public async Task RunAsync(JobRun run, CancellationToken ct)
        {
            if (run.Job.Payload.Contains("block"))
            {
                Blocked.TrySetResult();
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
            }
        }
    }
}
