using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Queue;

/// <summary>
/// The state machine drives the SQL: every write of the queue, run against a job in every state,
/// moves it exactly when <see cref="JobTransitions"/> declares that state a source of the
/// transition, and then to the declared target. No copied matrix: the expectation is the declaration.
/// </summary>
public abstract class JobTransitionsTests(DatabaseEngine engine)
{
    private const string Owner = "holder";
    private const long HeldVersion = 3;

    private static readonly DateTime Now = TempDatabase.FakeClock().GetUtcNow().UtcDateTime;

    /// <summary>How each transition is performed through the queue's API, and how the row is set up for it.</summary>
    private static readonly Dictionary<string, (Action<Job> Arrange, Func<JobQueue, long, Task> Act)> Writes = new()
    {
        // Due, its lease (were it running) not expired: only a claim can take it.
        ["claim"] = (j => { j.RunAt = Now.AddSeconds(-1); j.LeaseExpiresAt = Now.AddHours(1); },
            (q, _) => q.ClaimAsync("claimer", 10)),
        // Lease expired with attempts left, not due as pending: only a rescue can take it.
        ["rescue"] = (j => { j.RunAt = Now.AddHours(1); j.LeaseExpiresAt = Now.AddSeconds(-1); j.Attempts = 1; },
            (q, _) => q.ClaimAsync("claimer", 10)),
        ["abandon"] = (j => { j.RunAt = Now.AddHours(1); j.LeaseExpiresAt = Now.AddSeconds(-1); j.Attempts = 5; j.MaxAttempts = 5; },
            (q, _) => q.ClaimAsync("claimer", 10)),
        ["complete"] = (Held, (q, id) => q.CompleteAsync(Lease(id))),
        ["fail"] = (Held, (q, id) => q.FailAsync(Lease(id), "broken", retryable: false)),
        ["fail-and-retry"] = (Held, (q, id) => q.FailAsync(Lease(id), "try again", retryable: true)),
        ["release"] = (Held, (q, id) => q.ReleaseAsync(Lease(id))),
        ["renew"] = (Held, (q, id) => q.RenewAsync(Lease(id))),
        ["cancel"] = (Held, (q, id) => q.CancelAsync(id)),
        ["retry"] = (Held, (q, id) => q.RetryAsync(id)),
    };

    /// <summary>
    /// Claims, rescues and abandons happen in a claim, which a worker makes per job type (its own
    /// statements, <c>JobSql.ClaimDue</c> and <c>JobSql.Rescue</c>): those run both ways.
    /// </summary>
    private static readonly string[] ClaimedPerType = ["claim", "rescue", "abandon"];

    public static TheoryData<string, JobState, bool> EveryTransitionFromEveryState()
    {
        var data = new TheoryData<string, JobState, bool>();
        foreach (var transition in JobTransitions.All)
        {
            foreach (var state in Enum.GetValues<JobState>())
            {
                data.Add(transition.Name, state, false);
                if (ClaimedPerType.Contains(transition.Name))
                {
                    data.Add(transition.Name, state, true);
                }
            }
        }
        return data;
    }

    [Fact]
    public void EveryDeclaredTransition_IsExercisedHere()
    {
        Assert.Equal(JobTransitions.All.Select(t => t.Name).Order(), Writes.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(EveryTransitionFromEveryState), MemberType = typeof(JobTransitionsTests))]
    public async Task EachWrite_MovesAJobOnlyOutOfItsDeclaredStates_IntoItsDeclaredState(string name, JobState state, bool claimedByType)
    {
        var transition = JobTransitions.All.Single(t => t.Name == name);
        using var db = await TempDatabase.CreateAsync(engine);
        var queue = db.Queue(TempDatabase.FakeClock(), new QueueOptions { MaxAttempts = 5 });
        var (arrange, act) = Writes[name];
        var job = new Job
        {
            Type = "test",
            State = state,
            RunAt = Now.AddHours(1),
            CreatedAt = Now,
            MaxAttempts = 5,
            Attempts = 1,
            LeaseOwner = Owner,
            Version = HeldVersion,
        };
        arrange(job);
        await using (var context = db.Open())
        {
            context.Jobs.Add(job);
            await context.SaveChangesAsync();
        }
        var before = job.LeaseExpiresAt;

        if (claimedByType)
        {
            await queue.ClaimAsync("claimer", new Dictionary<string, int> { ["test"] = 10 });
        }
        else
        {
            await act(queue, job.Id);
        }

        await using var check = db.Open();
        var after = await check.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.Id);
        var moved = after.Version != HeldVersion || after.LeaseExpiresAt != before;
        if (transition.From.Contains(state))
        {
            Assert.True(moved, $"{name} left a {state.ToName()} job alone");
            Assert.Equal(transition.To, after.State);
        }
        else
        {
            Assert.False(moved, $"{name} changed a {state.ToName()} job");
            Assert.Equal(state, after.State);
        }
    }

    [Fact]
    public void FinishedSucceededJobs_LeadNowhere()
    {
        foreach (var to in Enum.GetValues<JobState>())
        {
            Assert.False(JobTransitions.IsAllowed(JobState.Succeeded, to));
        }
    }

    [Fact]
    public void StateNames_RoundTrip()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            Assert.Equal(state, JobStateNames.Parse(state.ToName()));
        }
        Assert.Throws<FormatException>(() => JobStateNames.Parse("bogus"));
    }

    // Not the renewed expiry (now + the lease duration), so that a renewal shows.
    private static void Held(Job job) => job.LeaseExpiresAt = Now.AddSeconds(30);

    private static Lease Lease(long id) => new(id, HeldVersion, Owner);
}

public sealed class JobTransitionsTestsOnSqlite() : JobTransitionsTests(DatabaseEngine.Sqlite);

public sealed class JobTransitionsTestsOnPostgres() : JobTransitionsTests(DatabaseEngine.Postgres);
