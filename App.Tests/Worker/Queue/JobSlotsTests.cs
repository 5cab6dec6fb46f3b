using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Queue;

/// <summary>
/// Slots per job type, in the job runner in-process on a real database: a type runs at most as
/// many jobs at once as it declares, a type whose slots are all taken holds up no other type, and
/// claims (claim-ahead included) take no more jobs of a type than it has free slots, and a type's
/// jobs that start keeping the thread run in several slots at once.
/// </summary>
public sealed class JobSlotsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TempDatabase _db = null!;
    private ServiceProvider _services = null!;
    private readonly GatedHandler _slow = new();
    private readonly QuickHandler _quick = new();
    private readonly ShiftingHandler _shifting = new();

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = _db.ConnectionString,
            ["Queue:Concurrency"] = "4",
        }).Build();
        _services = new ServiceCollection().AddLogging()
            .AddAppDatabase(configuration).AddQueueWorker()
            .AddSingleton<IJobHandler>(_slow)
            .AddSingleton<IJobHandler>(_quick)
            .AddSingleton<IJobHandler>(_shifting)
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        _slow.Open();
        await Runner.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        _db.Dispose();
    }

    private JobRunner Runner => _services.GetRequiredService<JobRunner>();

    private JobQueue Queue => _services.GetRequiredService<JobQueue>();

    [Fact]
    public async Task SlowJobsHoldingAllTheirSlots_HoldUpNoShortJobs_AndNoMoreOfThemAreRunOrClaimed()
    {
        // A backlog of slow jobs comes first, as a backlog of feed fetches would.
        for (var i = 0; i < 10; i++)
        {
            await Queue.EnqueueAsync(new JobRequest(GatedHandler.JobType) { Priority = JobPriority.User });
        }
        const int quickJobs = 500;
        for (var i = 0; i < quickJobs; i++)
        {
            await Queue.EnqueueAsync(new JobRequest(QuickHandler.JobType));
        }

        await Runner.PumpAsync(CancellationToken.None);

        // The short jobs run in their own slots, and once the runner has seen how short they are,
        // it claims them ahead in batches: none of those claims may take a slow job.
        await Eventually.TrueAsync(async () => await CountAsync(QuickHandler.JobType, JobState.Succeeded) == quickJobs,
            Patience, "the short jobs to run while the slow ones hold their slots");
        await Eventually.TrueAsync(() => Task.FromResult(_slow.Running == GatedHandler.Slots), Patience, "the slow type's slots to be taken");
        Assert.Equal(GatedHandler.Slots, await CountAsync(GatedHandler.JobType, JobState.Running));
        Assert.Equal(10 - GatedHandler.Slots, await CountAsync(GatedHandler.JobType, JobState.Pending));
        Assert.Equal(GatedHandler.Slots, _slow.Peak);

        _slow.Open();
        await Eventually.TrueAsync(async () => await CountAsync(GatedHandler.JobType, JobState.Succeeded) == 10,
            Patience, "the slow jobs to finish");
        Assert.Equal(GatedHandler.Slots, _slow.Peak);
    }

    [Fact]
    public async Task JobsThatTurnFromShortToThreadHolding_RunInSeveralSlots_NotOneAfterAnotherOnOneThread()
    {
        // First the runner learns that this type's jobs are short: its lanes start together on one
        // thread and it claims them ahead by the hundred.
        for (var i = 0; i < 300; i++)
        {
            await Queue.EnqueueAsync(new JobRequest(ShiftingHandler.JobType));
        }
        await Runner.PumpAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => await CountAsync(ShiftingHandler.JobType, JobState.Succeeded) == 300,
            Patience, "the short jobs to run");

        // Then its jobs keep the thread for 10 ms each (a synchronous parse, say).
        _shifting.Hold = true;
        for (var i = 0; i < 40; i++)
        {
            await Queue.EnqueueAsync(new JobRequest(ShiftingHandler.JobType));
        }
        await Runner.PumpAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => await CountAsync(ShiftingHandler.JobType, JobState.Succeeded) == 340,
            Patience, "the thread-holding jobs to run");

        // Before 2026-12-03 the first lane ran the claimed-ahead jobs one after another on the
        // thread the lanes shared, and the type's other slots started only once none was left.
        Assert.True(_shifting.Peak >= 2, $"at most {_shifting.Peak} thread-holding job(s) ran at once in 4 slots");
    }

    private async Task<int> CountAsync(string type, JobState state)
    {
        await using var db = _db.Open();
        return await db.Jobs.CountAsync(j => j.Type == type && j.State == state);
    }

    /// <summary>A job type that declares 3 slots; each job waits until the test opens the gate, and the handler counts how many wait at once.</summary>
    private sealed class GatedHandler : IJobHandler
    {
        public const string JobType = "gated";
        public const int Slots = 3;

        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly PeakCount _waiting = new();

        public string Type => JobType;

        public TimeSpan Timeout => TimeSpan.FromMinutes(5);

        public int? Concurrency => Slots;

        public int Running => _waiting.Now;

        public int Peak => _waiting.Peak;

        public void Open() => _gate.TrySetResult();

        public async Task RunAsync(JobRun run, CancellationToken ct)
        {
            _waiting.Enter();
            try
            {
                await _gate.Task.WaitAsync(ct);
            }
            finally
            {
                _waiting.Leave();
            }
        }
    }

    /// <summary>A job type (Queue:Concurrency's slots) whose jobs return at once until <see cref="Hold"/>, then keep the thread 10 ms each; counts how many held it at once.</summary>
    private sealed class ShiftingHandler : IJobHandler
    {
        public const string JobType = "shifting";

        private readonly PeakCount _holding = new();

        public volatile bool Hold;

        public string Type => JobType;

        public TimeSpan Timeout => TimeSpan.FromMinutes(1);

        public int Peak => _holding.Peak;

        public Task RunAsync(JobRun run, CancellationToken ct)
        {
            if (Hold)
            {
                _holding.Enter();
                Thread.Sleep(10);
                _holding.Leave();
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>How many are inside now, and the most there ever were at once.</summary>
    private sealed class PeakCount
    {
        private readonly object _lock = new();
        private int _now;
        private int _peak;

        public int Now
        {
            get
            {
                lock (_lock)
                {
                    return _now;
                }
            }
        }

        public int Peak
        {
            get
            {
                lock (_lock)
                {
                    return _peak;
                }
            }
        }

        public void Enter()
        {
            lock (_lock)
            {
                _peak = Math.Max(_peak, ++_now);
            }
        }

        public void Leave()
        {
            lock (_lock)
            {
                _now--;
            }
        }
    }

    /// <summary>A job type with no number of its own (Queue:Concurrency) that does nothing.</summary>
    private sealed class QuickHandler : IJobHandler
    {
        public const string JobType = "quick";

        public string Type => JobType;

        public TimeSpan Timeout => TimeSpan.FromMinutes(1);

        public Task RunAsync(JobRun run, CancellationToken ct) => Task.CompletedTask;
    }
}
