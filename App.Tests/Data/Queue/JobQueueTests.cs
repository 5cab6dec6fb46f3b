using System.Data.Common;
using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Tests.Data.Queue;

public abstract class JobQueueTests(DatabaseEngine engine) : IAsyncLifetime
{
    private readonly QueueFixture _f = new(engine);

    public Task InitializeAsync() => _f.InitializeAsync();

    public Task DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task Enqueue_StoresPendingJobDueNow_WithDefaultMaxAttempts()
    {
        var job = await _f.EnqueueAsync();

        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(JobState.Pending, stored.State);
        Assert.Equal(_f.Now, stored.RunAt);
        Assert.Equal(_f.Now, stored.CreatedAt);
        Assert.Equal(QueueFixture.Options.MaxAttempts, stored.MaxAttempts);
        Assert.Equal(0, stored.Attempts);
        Assert.Equal(DateTimeKind.Utc, stored.CreatedAt.Kind);
    }

    [Fact]
    public async Task Enqueue_JoinsCallersUnitOfWork_NothingStoredWhenRolledBack()
    {
        await using (var db = _f.Db.Open())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Feeds.Add(new Feed { Url = "https://example.com/feed", CreatedAt = _f.Now });
            await db.SaveChangesAsync();
            await _f.Queue.EnqueueAsync(db, new JobRequest("test"));
            await tx.RollbackAsync();
        }

        await using var check = _f.Db.Open();
        Assert.Equal(0, await check.Jobs.CountAsync());
        Assert.Equal(0, await check.Feeds.CountAsync());
    }

    [Fact]
    public async Task Claim_TakesDueJobsByPriorityThenAge_AndSetsLease()
    {
        var low = await _f.EnqueueAsync(priority: 0);
        _f.Clock.Advance(TimeSpan.FromSeconds(1));
        var high = await _f.EnqueueAsync(priority: 10);
        var lowLater = await _f.EnqueueAsync(priority: 0);

        var claimed = await _f.Queue.ClaimAsync("worker-a", 2);

        Assert.Equal([high.Id, low.Id], claimed.Select(c => c.Lease.JobId));
        var stored = await _f.GetAsync(high.Id);
        Assert.Equal(JobState.Running, stored.State);
        Assert.Equal("worker-a", stored.LeaseOwner);
        Assert.Equal(_f.Now + QueueFixture.Options.LeaseDuration, stored.LeaseExpiresAt);
        Assert.Equal(1, stored.Attempts);
        Assert.Equal(stored.Version, claimed[0].Lease.Version);
        Assert.Equal(JobState.Pending, (await _f.GetAsync(lowLater.Id)).State);
    }

    [Fact]
    public async Task Claim_LeavesJobsThatAreNotYetDue()
    {
        await _f.Queue.EnqueueAsync(new JobRequest("test") { RunAt = _f.Now.AddMinutes(5) });

        Assert.Empty(await _f.Queue.ClaimAsync("worker-a", 10));
        _f.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Single(await _f.Queue.ClaimAsync("worker-a", 10));
    }

    [Fact]
    public async Task Claim_OfAJobAnotherWorkerHolds_ReturnsNothing_AndChangesNothing()
    {
        var job = await _f.EnqueueAsync();
        await _f.ClaimOneAsync("worker-a");
        var before = await _f.GetAsync(job.Id);

        Assert.Empty(await _f.Queue.ClaimAsync("worker-b", 10));

        var after = await _f.GetAsync(job.Id);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal("worker-a", after.LeaseOwner);
    }

    [Fact]
    public async Task Complete_MovesToSucceeded_AndCommitsEffectsWithIt()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync();

        var won = await _f.Queue.CompleteAsync(claim.Lease, (db, _) =>
        {
            db.Feeds.Add(new Feed { Url = "https://example.com/effect", CreatedAt = _f.Now });
            return Task.CompletedTask;
        });

        Assert.True(won);
        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(JobState.Succeeded, stored.State);
        Assert.Equal(_f.Now, stored.FinishedAt);
        Assert.Null(stored.LeaseExpiresAt);
        await using var db = _f.Db.Open();
        Assert.Equal(1, await db.Feeds.CountAsync());
    }

    [Fact]
    public async Task Complete_ByHolderWhoseJobWasRescued_WritesNothing_EffectsIncluded()
    {
        var job = await _f.EnqueueAsync();
        var stale = await _f.ClaimOneAsync("worker-a");
        _f.Clock.Advance(QueueFixture.Options.LeaseDuration + TimeSpan.FromSeconds(1));
        var rescue = await _f.ClaimOneAsync("worker-b");
        var effectsRan = false;

        var won = await _f.Queue.CompleteAsync(stale.Lease, (db, _) =>
        {
            effectsRan = true;
            db.Feeds.Add(new Feed { Url = "https://example.com/late", CreatedAt = _f.Now });
            return Task.CompletedTask;
        });

        Assert.False(won);
        Assert.False(effectsRan);
        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(JobState.Running, stored.State);
        Assert.Equal("worker-b", stored.LeaseOwner);
        Assert.Equal(rescue.Lease.Version, stored.Version);
        Assert.False(await _f.Queue.RenewAsync(stale.Lease));
        Assert.Equal(FailOutcome.LeaseLost, await _f.Queue.FailAsync(stale.Lease, "late"));
        Assert.False(await _f.Queue.ReleaseAsync(stale.Lease));
        Assert.Equal(rescue.Lease.Version, (await _f.GetAsync(job.Id)).Version);
        await using var db = _f.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
    }

    [Fact]
    public async Task Rescue_IsRefusedWhileTheLeaseIsValid_AndTakesTheJobOnceExpired()
    {
        var job = await _f.EnqueueAsync();
        await _f.ClaimOneAsync("worker-a");

        _f.Clock.Advance(QueueFixture.Options.LeaseDuration - TimeSpan.FromSeconds(1));
        Assert.Empty(await _f.Queue.ClaimAsync("worker-b", 1));

        _f.Clock.Advance(TimeSpan.FromSeconds(1));
        var rescued = await _f.ClaimOneAsync("worker-b");
        Assert.Equal(job.Id, rescued.Lease.JobId);
        Assert.Equal(2, rescued.Attempt);
    }

    [Fact]
    public async Task Renew_PushesTheExpiryForward_SoTheJobIsNotRescued()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync("worker-a");

        _f.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await _f.Queue.RenewAsync(claim.Lease));
        _f.Clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Empty(await _f.Queue.ClaimAsync("worker-b", 1));
        Assert.Equal(_f.Now + TimeSpan.FromSeconds(10), (await _f.GetAsync(job.Id)).LeaseExpiresAt);
        Assert.True(await _f.Queue.CompleteAsync(claim.Lease));
    }

    [Fact]
    public async Task Rescue_WithNoAttemptsLeft_FailsTheJobWithAReadableError()
    {
        var job = await _f.EnqueueAsync();
        for (var i = 0; i < QueueFixture.Options.MaxAttempts; i++)
        {
            await _f.ClaimOneAsync($"worker-{i}");
            _f.Clock.Advance(QueueFixture.Options.LeaseDuration);
        }

        Assert.Empty(await _f.Queue.ClaimAsync("worker-last", 1));

        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(JobState.Failed, stored.State);
        Assert.Contains("lease expired", stored.LastError);
    }

    [Fact]
    public async Task Fail_SchedulesARetryWithBackoff_WhenAttemptsRemain()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync();

        var outcome = await _f.Queue.FailAsync(claim.Lease, "HTTP 503 Service Unavailable");

        Assert.Equal(FailOutcome.WillRetry, outcome);
        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(JobState.Pending, stored.State);
        Assert.Equal("HTTP 503 Service Unavailable", stored.LastError);
        Assert.Equal(1, stored.Attempts);
        Assert.InRange(stored.RunAt, _f.Now.AddSeconds(7.5), _f.Now.AddSeconds(12.5));
        Assert.Empty(await _f.Queue.ClaimAsync("worker-a", 1));
    }

    [Fact]
    public async Task Fail_WithRetryNotBefore_IsNotRetriedEarlierThanAsked()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync();
        var serverSaid = _f.Now.AddMinutes(30);

        await _f.Queue.FailAsync(claim.Lease, "HTTP 429 Too Many Requests", retryNotBefore: serverSaid);

        Assert.Equal(serverSaid, (await _f.GetAsync(job.Id)).RunAt);
    }

    [Fact]
    public async Task Fail_MovesToFailed_WhenAttemptsAreUsedUp()
    {
        var job = await _f.EnqueueAsync();
        for (var attempt = 1; attempt <= QueueFixture.Options.MaxAttempts; attempt++)
        {
            _f.Clock.Advance(QueueFixture.Options.RetryMaxDelay * 2);
            var claim = await _f.ClaimOneAsync();
            Assert.Equal(attempt, claim.Attempt);
            var expected = attempt < QueueFixture.Options.MaxAttempts ? FailOutcome.WillRetry : FailOutcome.Failed;
            Assert.Equal(expected, await _f.Queue.FailAsync(claim.Lease, $"failure {attempt}"));
        }

        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(JobState.Failed, stored.State);
        Assert.Equal("failure 3", stored.LastError);
        Assert.NotNull(stored.FinishedAt);
    }

    [Fact]
    public async Task Fail_NotRetryable_FailsAtOnce_AndCommitsEffects()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync();

        bool? sawFinal = null;
        var outcome = await _f.Queue.FailAsync(claim.Lease, "HTTP 404 Not Found", retryable: false, (db, final, _) =>
        {
            sawFinal = final;
            db.Feeds.Add(new Feed { Url = "https://example.com/error", LastError = "HTTP 404 Not Found", CreatedAt = _f.Now });
            return Task.CompletedTask;
        });

        Assert.Equal(FailOutcome.Failed, outcome);
        Assert.True(sawFinal);
        Assert.Equal(1, (await _f.GetAsync(job.Id)).Attempts);
        await using var db = _f.Db.Open();
        Assert.Equal("HTTP 404 Not Found", (await db.Feeds.SingleAsync()).LastError);
    }

    [Fact]
    public async Task Release_PutsTheJobBackDueNow_AndRefundsTheAttempt()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync("worker-a");

        Assert.True(await _f.Queue.ReleaseAsync(claim.Lease));

        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(JobState.Pending, stored.State);
        Assert.Equal(0, stored.Attempts);
        Assert.Null(stored.LeaseExpiresAt);
        var again = await _f.ClaimOneAsync("worker-b");
        Assert.Equal(1, again.Attempt);
    }

    [Fact]
    public async Task ReleaseMany_HandsBackTheJobsStillHeld_AndLeavesTheOneCompletedMeanwhile()
    {
        var jobs = new[] { await _f.EnqueueAsync(), await _f.EnqueueAsync(), await _f.EnqueueAsync() };
        var claims = (await _f.Queue.ClaimAsync("worker-a", 3)).OrderBy(c => c.Lease.JobId).ToList();
        Assert.True(await _f.Queue.CompleteAsync(claims[1].Lease));

        var released = await _f.Queue.ReleaseManyAsync([.. claims.Select(c => c.Lease)]);

        Assert.Equal([true, false, true], released);
        Assert.Equal(
            [JobState.Pending, JobState.Succeeded, JobState.Pending],
            [(await _f.GetAsync(jobs[0].Id)).State, (await _f.GetAsync(jobs[1].Id)).State, (await _f.GetAsync(jobs[2].Id)).State]);
        Assert.Equal(0, (await _f.GetAsync(jobs[2].Id)).Attempts);
    }

    [Theory]
    [InlineData(JobState.Pending, true)]
    [InlineData(JobState.Running, false)]
    [InlineData(JobState.Succeeded, false)]
    [InlineData(JobState.Failed, false)]
    [InlineData(JobState.Cancelled, false)]
    public async Task Cancel_IsAllowedOnlyForPendingJobs(JobState state, bool allowed)
    {
        var job = await _f.JobInStateAsync(state);

        Assert.Equal(allowed, await _f.Queue.CancelAsync(job.Id));

        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(allowed ? JobState.Cancelled : state, stored.State);
        Assert.Equal(allowed ? job.Version + 1 : job.Version, stored.Version);
    }

    [Theory]
    [InlineData(JobState.Pending, false)]
    [InlineData(JobState.Running, false)]
    [InlineData(JobState.Succeeded, false)]
    [InlineData(JobState.Failed, true)]
    [InlineData(JobState.Cancelled, true)]
    public async Task Retry_IsAllowedOnlyForFailedOrCancelledJobs_AndGivesFreshAttempts(JobState state, bool allowed)
    {
        var job = await _f.JobInStateAsync(state);

        Assert.Equal(allowed, await _f.Queue.RetryAsync(job.Id));

        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(allowed ? JobState.Pending : state, stored.State);
        if (allowed)
        {
            Assert.Equal(0, stored.Attempts);
            Assert.Null(stored.FinishedAt);
            Assert.Single(await _f.Queue.ClaimAsync("worker-a", 1));
        }
    }

    [Fact]
    public async Task CompleteAndFail_AreRefusedForJobsThatAreNotRunning()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync();
        Assert.True(await _f.Queue.CompleteAsync(claim.Lease));

        Assert.False(await _f.Queue.CompleteAsync(claim.Lease));
        Assert.Equal(FailOutcome.LeaseLost, await _f.Queue.FailAsync(claim.Lease, "late"));
        Assert.False(await _f.Queue.ReleaseAsync(claim.Lease));
        Assert.Equal(JobState.Succeeded, (await _f.GetAsync(job.Id)).State);
    }

    [Fact]
    public async Task UniqueKey_RefusesASecondLiveJob_ButAllowsOneAfterTheFirstFinished()
    {
        await _f.EnqueueAsync(uniqueKey: "fetch-feed:1");

        var e = await Assert.ThrowsAnyAsync<DbException>(() => _f.EnqueueAsync(uniqueKey: "fetch-feed:1"));
        Assert.True(UniqueViolation.Is(e), e.Message);

        var claim = await _f.ClaimOneAsync();
        await Assert.ThrowsAnyAsync<DbException>(() => _f.EnqueueAsync(uniqueKey: "fetch-feed:1"));
        Assert.True(await _f.Queue.CompleteAsync(claim.Lease));

        var next = await _f.EnqueueAsync(uniqueKey: "fetch-feed:1");
        Assert.Equal(JobState.Pending, (await _f.GetAsync(next.Id)).State);
    }

    [Fact]
    public async Task Retry_IsRefused_WhenAnotherLiveJobHasTheSameUniqueKey()
    {
        var first = await _f.EnqueueAsync(uniqueKey: "k");
        Assert.True(await _f.Queue.CancelAsync(first.Id));
        await _f.EnqueueAsync(uniqueKey: "k");

        Assert.False(await _f.Queue.RetryAsync(first.Id));
        Assert.Equal(JobState.Cancelled, (await _f.GetAsync(first.Id)).State);
    }

    [Fact]
    public async Task Expedite_MakesAWaitingPendingJobDueNowAtTheGivenPriority()
    {
        var job = await _f.EnqueueAsync();
        var claim = await _f.ClaimOneAsync();
        await _f.Queue.FailAsync(claim.Lease, "HTTP 503 Service Unavailable");
        Assert.Empty(await _f.Queue.ClaimAsync("worker-a", 1));

        await using (var db = _f.Db.Open())
        {
            Assert.True(await _f.Queue.ExpediteAsync(db, job.Id, JobPriority.User));
            Assert.False(await _f.Queue.ExpediteAsync(db, job.Id, JobPriority.Background));
        }

        var stored = await _f.GetAsync(job.Id);
        Assert.Equal(_f.Now, stored.RunAt);
        Assert.Equal(JobPriority.User, stored.Priority);
        Assert.Single(await _f.Queue.ClaimAsync("worker-a", 1));
    }

    [Fact]
    public async Task Expedite_LeavesRunningJobsAlone()
    {
        var job = await _f.JobInStateAsync(JobState.Running);
        await using var db = _f.Db.Open();

        Assert.False(await _f.Queue.ExpediteAsync(db, job.Id, JobPriority.User));
        Assert.Equal(job.Version, (await _f.GetAsync(job.Id)).Version);
    }

    [Fact]
    public async Task Purge_DeletesFinishedJobsPastTheirRetention_InBatches_AndKeepsTheRest()
    {
        var oldSucceeded = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            oldSucceeded.Add((await _f.JobInStateAsync(JobState.Succeeded)).Id);
        }
        var oldFailed = await _f.JobInStateAsync(JobState.Failed);
        var oldCancelled = await _f.JobInStateAsync(JobState.Cancelled);
        var oldPending = await _f.JobInStateAsync(JobState.Pending);
        _f.Clock.Advance(TimeSpan.FromDays(8));
        await _f.Queue.CancelAsync(oldPending.Id);
        var recent = await _f.JobInStateAsync(JobState.Succeeded);

        var deleted = await _f.Queue.PurgeFinishedAsync(batchSize: 3);

        Assert.Equal(7, deleted);
        await using var db = _f.Db.Open();
        var left = await db.Jobs.Select(j => j.Id).OrderBy(id => id).ToListAsync();
        Assert.Equal(new[] { oldFailed.Id, oldCancelled.Id, oldPending.Id, recent.Id }.Order(), left);

        // 31 days on: the old failed and cancelled jobs are past 30 days, the recent success past 7;
        // the job cancelled on day 8 is not yet.
        _f.Clock.Advance(TimeSpan.FromDays(23));
        Assert.Equal(3, await _f.Queue.PurgeFinishedAsync(batchSize: 3));
        Assert.Equal(oldPending.Id, await db.Jobs.Select(j => j.Id).SingleAsync());
    }

    [Fact]
    public async Task Purge_KeepsTheCountsOfTheBatchWhoseJobsItDeletes()
    {
        await using var db = _f.Db.Open();
        var batch = new JobBatch { Name = "Import of feeds.opml", CreatedAt = _f.Now };
        db.JobBatches.Add(batch);
        await db.SaveChangesAsync();
        var states = new[] { JobState.Succeeded, JobState.Succeeded, JobState.Failed, JobState.Cancelled, JobState.Pending };
        var ids = new List<long>();
        foreach (var state in states)
        {
            ids.Add((await _f.JobInStateAsync(state)).Id);
        }
        await db.Jobs.Where(j => ids.Contains(j.Id)).ExecuteUpdateAsync(s => s.SetProperty(j => j.BatchId, batch.Id));
        var before = await JobBatchProgress.ReadAsync(db, batch.Id, CancellationToken.None);

        _f.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal(4, await _f.Queue.PurgeFinishedAsync(batchSize: 3));

        var after = await JobBatchProgress.ReadAsync(db, batch.Id, CancellationToken.None);
        Assert.Equal(before, after);
        Assert.Equal((2, 1, 1, 1), (after!.Succeeded, after.Failed, after.Cancelled, after.Pending));
        Assert.Equal(1, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task StateColumn_RejectsUnknownStates()
    {
        var job = await _f.EnqueueAsync();
        await using var db = _f.Db.Open();

        var e = await Assert.ThrowsAnyAsync<DbException>(() =>
            db.Database.ExecuteSqlInterpolatedAsync($"UPDATE \"Jobs\" SET \"State\" = 'bogus' WHERE \"Id\" = {job.Id}"));
        // A CHECK constraint: SQLITE_CONSTRAINT, or PostgreSQL's check_violation.
        Assert.True(e is SqliteException { SqliteErrorCode: 19 } or PostgresException { SqlState: "23514" }, e.Message);
    }

    [Fact]
    public async Task CompleteAndClaim_CompletesHeldLeases_RefusesLostOnes_AndClaimsNewJobs_InOnePass()
    {
        var held = await _f.EnqueueAsync();
        var taken = await _f.EnqueueAsync();
        var heldClaim = (await _f.Queue.ClaimAsync("worker-a", 1)).Single();
        var takenClaim = (await _f.Queue.ClaimAsync("worker-a", 1)).Single();
        // Another worker took the second job over (a rescue): the first holder's lease is stale.
        _f.Clock.Advance(QueueFixture.Options.LeaseDuration);
        Assert.True(await _f.Queue.RenewAsync(heldClaim.Lease));
        var rescued = (await _f.Queue.ClaimAsync("worker-b", 1)).Single();
        Assert.Equal(taken.Id, rescued.Lease.JobId);
        var next = await _f.EnqueueAsync();

        var result = _f.Queue.CompleteAndClaim([heldClaim.Lease, takenClaim.Lease], "worker-a", new Dictionary<string, int> { ["test"] = 5 });

        Assert.Equal([true, false], result.Completed);
        Assert.Equal(next.Id, Assert.Single(result.Claimed).Lease.JobId);
        Assert.Equal(JobState.Succeeded, (await _f.GetAsync(held.Id)).State);
        var stillRescued = await _f.GetAsync(taken.Id);
        Assert.Equal(JobState.Running, stillRescued.State);
        Assert.Equal("worker-b", stillRescued.LeaseOwner);
        Assert.Equal("worker-a", (await _f.GetAsync(next.Id)).LeaseOwner);
    }

    [Fact]
    public async Task CompleteAndClaim_WithTwoLeasesOnOneJob_CompletesItOnceUnderTheNewest()
    {
        var (job, first, second) = await ClaimedTwiceByOneOwnerAsync();

        var result = _f.Queue.CompleteAndClaim([first.Lease, second.Lease], "worker-a", new Dictionary<string, int>());

        // Completions are reported per job: the stale lease shares its job's answer.
        Assert.True(result.Completed[1]);
        var stored = await _f.GetAsync(job.Id);
        Assert.Equal((JobState.Succeeded, second.Lease.Version + 1), (stored.State, stored.Version));
        await using var db = _f.Db.Open();
        Assert.Equal(1, (await QueueStats.ReadAsync(db, default)).Succeeded);
    }

    [Fact]
    public async Task CompleteAndClaim_WithTheOwnersOlderLeaseAlone_IsRefused_TheJobRunsOnUnderTheNewer()
    {
        // Only the version tells the two leases apart.
        var (job, first, second) = await ClaimedTwiceByOneOwnerAsync();

        var result = _f.Queue.CompleteAndClaim([first.Lease], "worker-a", new Dictionary<string, int>());

        Assert.Equal([false], result.Completed);
        var stored = await _f.GetAsync(job.Id);
        Assert.Equal((JobState.Running, second.Lease.Version), (stored.State, stored.Version));
        var renewed = await _f.Queue.RenewManyAsync([first.Lease]);
        Assert.Equal([false], renewed);
        Assert.Equal(second.Lease.Version, (await _f.GetAsync(job.Id)).Version);
    }

    // A worker stalled past its lease and took its own job back: the same owner, a newer version.
    private async Task<(Job Job, ClaimedJob First, ClaimedJob Second)> ClaimedTwiceByOneOwnerAsync()
    {
        var job = await _f.EnqueueAsync();
        var first = (await _f.Queue.ClaimAsync("worker-a", 1)).Single();
        _f.Clock.Advance(QueueFixture.Options.LeaseDuration);
        var second = (await _f.Queue.ClaimAsync("worker-a", 1)).Single();
        Assert.Equal((job.Id, "worker-a"), (second.Lease.JobId, second.Lease.Owner));
        return (job, first, second);
    }

    [Fact]
    public async Task CompleteMany_WithLeasesOfSeveralOwners_CompletesEachUnderItsOwn()
    {
        for (var i = 0; i < 3; i++)
        {
            await _f.EnqueueAsync();
        }
        var a = await _f.Queue.ClaimAsync("worker-a", 2);
        var b = (await _f.Queue.ClaimAsync("worker-b", 1)).Single();
        // The same job and version under another owner's name: the fence refuses it, beside true leases.
        var forged = a[0].Lease with { Owner = "worker-b" };

        var result = await _f.Queue.CompleteManyAsync([forged, b.Lease, a[1].Lease]);

        Assert.Equal([false, true, true], result);
        var notCompleted = await _f.GetAsync(a[0].Lease.JobId);
        Assert.Equal((JobState.Running, "worker-a"), (notCompleted.State, notCompleted.LeaseOwner));
        Assert.Equal(JobState.Succeeded, (await _f.GetAsync(b.Lease.JobId)).State);
        Assert.Equal(JobState.Succeeded, (await _f.GetAsync(a[1].Lease.JobId)).State);
    }

    [Fact]
    public async Task CompleteAndClaim_BetweenLookupsForExpiredLeases_CompletesCountsAndClaims_InItsShortForm()
    {
        var first = await _f.EnqueueAsync();
        var second = await _f.EnqueueAsync();
        var slots = new Dictionary<string, int> { ["test"] = 1 };
        // The first pass looks for expired leases too; the next ones, in the same second, do not
        // (on PostgreSQL they are one round trip: claims, completions and their count in one batch).
        var a = Assert.Single(_f.Queue.CompleteAndClaim([], "worker-a", slots).Claimed);
        Assert.Equal(first.Id, a.Lease.JobId);

        var pass = _f.Queue.CompleteAndClaim([a.Lease], "worker-a", slots);

        Assert.Equal([true], pass.Completed);
        var b = Assert.Single(pass.Claimed);
        Assert.Equal((second.Id, 1, "worker-a"), (b.Lease.JobId, b.Attempt, (await _f.GetAsync(second.Id)).LeaseOwner));
        Assert.Equal(JobState.Succeeded, (await _f.GetAsync(first.Id)).State);
        // A lease already used loses; the count holds each completion once.
        var last = _f.Queue.CompleteAndClaim([a.Lease, b.Lease], "worker-a", slots);
        Assert.Equal([false, true], last.Completed);
        Assert.Empty(last.Claimed);
        await using var db = _f.Db.Open();
        Assert.Equal(2, (await QueueStats.ReadAsync(db, default)).Succeeded);
    }

    [Fact]
    public async Task CompleteAndClaim_WithNothingToCompleteOrClaim_ChangesNothing()
    {
        var future = await _f.Queue.EnqueueAsync(new JobRequest("test") { RunAt = _f.Now.AddMinutes(1) });

        var result = _f.Queue.CompleteAndClaim([], "worker-a", new Dictionary<string, int> { ["test"] = 4 });

        Assert.Empty(result.Completed);
        Assert.Empty(result.Claimed);
        var stored = await _f.GetAsync(future.Id);
        Assert.Equal(JobState.Pending, stored.State);
        Assert.Equal(0, stored.Version);
    }

    [Fact]
    public async Task EnqueueInAWriteTransaction_StoresEveryRequestField_AndRollsBackWithIt()
    {
        var request = new JobRequest("test", """{"n":1}""")
        {
            UniqueKey = "key-1",
            BatchId = 7,
            Priority = 3,
            MaxAttempts = 2,
        };

        var id = await _f.Lane.InWriteTransactionAsync(c => _f.Queue.Enqueue(c, request));
        var live = await _f.Lane.InWriteTransactionAsync(c => JobQueue.FindLive(c, "key-1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _f.Lane.InWriteTransactionAsync<long>(c =>
        {
            _f.Queue.Enqueue(c, new JobRequest("test") { UniqueKey = "key-2" });
            throw new InvalidOperationException("the unit of work fails");
        }));

        var stored = await _f.GetAsync(id);
        Assert.Equal(("test", """{"n":1}""", "key-1", 7L, 3, 2, JobState.Pending),
            (stored.Type, stored.Payload, stored.UniqueKey, stored.BatchId, stored.Priority, stored.MaxAttempts, stored.State));
        Assert.Equal(id, live);
        Assert.Null(await _f.Lane.InWriteTransactionAsync(c => JobQueue.FindLive(c, "key-2")));
    }
}

public sealed class JobQueueTestsOnSqlite() : JobQueueTests(DatabaseEngine.Sqlite);

public sealed class JobQueueTestsOnPostgres() : JobQueueTests(DatabaseEngine.Postgres);
