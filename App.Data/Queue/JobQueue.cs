using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Data.Queue;

/// <summary>
/// The queue's whole API. Claims are optimistic (a conditional UPDATE per candidate, guarded by
/// id, version and state); every write after a claim is fenced by the <see cref="Lease"/> and
/// reports whether it won. States and their moves are declared in <see cref="JobTransitions"/>.
/// </summary>
public sealed class JobQueue(
    IDbContextFactory<AppDbContext> contexts,
    TimeProvider time,
    IOptions<QueueOptions> options)
{
    private readonly QueueOptions _options = options.Value;

    /// <summary>Effects a handler commits together with its job's outcome.</summary>
    public delegate Task Effects(AppDbContext db, CancellationToken ct);

    /// <summary>Effects committed with a failed attempt; <paramref name="final"/> tells whether the job is now failed for good.</summary>
    public delegate Task FailEffects(AppDbContext db, bool final, CancellationToken ct);

    // SQLITE_CONSTRAINT: here, the live unique-key index refused a second live job.
    private const int SqliteConstraintError = 19;

    // Bounds the re-reads of one claim when other workers keep winning the same candidates.
    private const int MaxClaimRounds = 4;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Adds a job to the caller's unit of work: it is stored by the caller's SaveChanges, in the
    /// caller's transaction, together with whatever else the caller writes.
    /// </summary>
    public Job Enqueue(AppDbContext db, JobRequest request)
    {
        var now = Now;
        var job = new Job
        {
            Type = request.Type,
            Payload = request.Payload,
            UniqueKey = request.UniqueKey,
            FeedId = request.FeedId,
            Priority = request.Priority,
            RunAt = request.RunAt ?? now,
            MaxAttempts = request.MaxAttempts ?? _options.MaxAttempts,
            CreatedAt = now,
        };
        db.Jobs.Add(job);
        return job;
    }

    /// <summary>Enqueues one job in a unit of work of its own.</summary>
    public async Task<Job> EnqueueAsync(JobRequest request, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var job = Enqueue(db, request);
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> due jobs for <paramref name="owner"/>: pending jobs whose
    /// time has come, and running jobs whose lease expired (their worker died). A candidate that
    /// another worker took first is skipped without any change.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string owner, int max, CancellationToken ct = default)
    {
        if (max <= 0)
        {
            return [];
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        var claimed = new List<ClaimedJob>(max);
        // Claimers that read at the same moment see the same candidates and only one wins them;
        // the losers read again at once instead of idling until their next poll.
        for (var round = 0; round < MaxClaimRounds && claimed.Count < max; round++)
        {
            var lost = await ClaimRoundAsync(db, owner, max - claimed.Count, now, claimed, ct);
            if (lost == 0)
            {
                break;
            }
        }
        return claimed;
    }

    /// <summary>One read of candidates and their conditional updates; adds the winners and returns how many races were lost.</summary>
    private async Task<int> ClaimRoundAsync(
        AppDbContext db, string owner, int max, DateTime now, List<ClaimedJob> claimed, CancellationToken ct)
    {
        // Read without a lock; the conditional UPDATEs below decide who wins. Expired leases first:
        // those jobs have waited longest. Over-read pending ones so that losing a few races still fills the batch.
        var expired = await db.Jobs.AsNoTracking()
            .Where(j => j.State == JobState.Running && j.LeaseExpiresAt <= now)
            .OrderBy(j => j.LeaseExpiresAt)
            .Take(max)
            .ToListAsync(ct);
        var due = await db.Jobs.AsNoTracking()
            .Where(j => j.State == JobState.Pending && j.RunAt <= now)
            .OrderByDescending(j => j.Priority).ThenBy(j => j.RunAt).ThenBy(j => j.Id)
            .Take(max * 2)
            .ToListAsync(ct);
        if (expired.Count == 0 && due.Count == 0)
        {
            return 0;
        }

        var target = claimed.Count + max;
        var lost = 0;
        var expires = now + _options.LeaseDuration;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var job in expired.Concat(due))
        {
            if (claimed.Count == target)
            {
                break;
            }
            if (job.State == JobState.Running && job.Attempts >= job.MaxAttempts)
            {
                await AbandonAsync(db, job, now, ct);
                continue;
            }
            var transition = job.State == JobState.Running ? JobTransitions.Rescue : JobTransitions.Claim;
            var won = await db.Jobs
                .Where(j => j.Id == job.Id && j.Version == job.Version)
                .InStates(transition.From)
                // Renewal keeps the version, so a rescue re-checks the expiry it saw.
                .Where(j => j.State == JobState.Pending || j.LeaseExpiresAt <= now)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.State, transition.To)
                    .SetProperty(j => j.LeaseOwner, owner)
                    .SetProperty(j => j.LeaseExpiresAt, expires)
                    .SetProperty(j => j.StartedAt, now)
                    .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                    .SetProperty(j => j.Version, j => j.Version + 1), ct);
            if (won == 1)
            {
                claimed.Add(new ClaimedJob(
                    new Lease(job.Id, job.Version + 1, owner),
                    job.Type, job.Payload, job.FeedId, job.Attempts + 1, job.MaxAttempts, expires));
            }
            else
            {
                lost++;
            }
        }
        await tx.CommitAsync(ct);
        return lost;
    }

    /// <summary>
    /// Extends the lease of a running job. Keeps the version: ownership does not change, and the
    /// holder's token stays valid for the writes that follow.
    /// </summary>
    public async Task<bool> RenewAsync(Lease lease, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var expires = Now + _options.LeaseDuration;
        return await db.Jobs.HeldBy(lease)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, expires), ct) == 1;
    }

    /// <summary>
    /// Marks the job succeeded and commits <paramref name="effects"/> in the same transaction.
    /// A holder that lost its lease writes nothing, effects included, and gets false.
    /// </summary>
    public async Task<bool> CompleteAsync(Lease lease, Effects? effects = null, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        // The fenced UPDATE goes first: it takes the write lock and tells whether we still own the job.
        var won = await db.Jobs.HeldBy(lease)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobTransitions.Complete.To)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.LastError, (string?)null)
                .SetProperty(j => j.Version, j => j.Version + 1), ct) == 1;
        if (!won)
        {
            return false;
        }
        if (effects is not null)
        {
            await effects(db, ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Records a failed attempt: back to pending after a backoff while attempts remain and the
    /// error is <paramref name="retryable"/>, else failed. <paramref name="effects"/> commit with it.
    /// The retry is due after the backoff, or at <paramref name="retryNotBefore"/> if that is later.
    /// </summary>
    public async Task<FailOutcome> FailAsync(
        Lease lease,
        string error,
        bool retryable = true,
        FailEffects? effects = null,
        DateTime? retryNotBefore = null,
        CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Read-then-write: the transaction is BEGIN IMMEDIATE, so the row cannot change in between.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        var row = await db.Jobs.AsNoTracking().HeldBy(lease)
            .Select(j => new { j.Attempts, j.MaxAttempts })
            .SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return FailOutcome.LeaseLost;
        }

        var final = !retryable || row.Attempts >= row.MaxAttempts;
        var transition = final ? JobTransitions.Fail : JobTransitions.FailAndRetry;
        var backoff = now + RetryPolicy.Delay(row.Attempts, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared.NextDouble());
        // A server that said when to come back (Retry-After) is not asked earlier.
        var runAt = final ? now : retryNotBefore > backoff ? retryNotBefore.Value : backoff;
        DateTime? finishedAt = final ? now : null;
        await db.Jobs.HeldBy(lease)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, transition.To)
                .SetProperty(j => j.RunAt, runAt)
                .SetProperty(j => j.FinishedAt, finishedAt)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.LastError, Truncate(error))
                .SetProperty(j => j.Version, j => j.Version + 1), ct);
        if (effects is not null)
        {
            await effects(db, final, ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return final ? FailOutcome.Failed : FailOutcome.WillRetry;
    }

    /// <summary>
    /// Hands a running job back (the worker is stopping) as pending and due now. The attempt is
    /// refunded: the job did not fail, it was interrupted.
    /// </summary>
    public async Task<bool> ReleaseAsync(Lease lease, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        return await db.Jobs.HeldBy(lease)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobTransitions.Release.To)
                .SetProperty(j => j.RunAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.Attempts, j => j.Attempts > 0 ? j.Attempts - 1 : 0)
                .SetProperty(j => j.Version, j => j.Version + 1), ct) == 1;
    }

    /// <summary>
    /// Puts a failed or cancelled job back to pending with a fresh set of attempts. False when the
    /// job is in another state, or when a live job with the same unique key exists already.
    /// </summary>
    public async Task<bool> RetryAsync(long jobId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        try
        {
            return await db.Jobs.Where(j => j.Id == jobId).InStates(JobTransitions.Retry.From)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.State, JobTransitions.Retry.To)
                    .SetProperty(j => j.RunAt, now)
                    .SetProperty(j => j.Attempts, 0)
                    .SetProperty(j => j.FinishedAt, (DateTime?)null)
                    .SetProperty(j => j.Version, j => j.Version + 1), ct) == 1;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraintError)
        {
            return false;
        }
    }

    /// <summary>Cancels a pending job. False when it is in any other state.</summary>
    public async Task<bool> CancelAsync(long jobId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        return await db.Jobs.Where(j => j.Id == jobId).InStates(JobTransitions.Cancel.From)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobTransitions.Cancel.To)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.Version, j => j.Version + 1), ct) == 1;
    }

    /// <summary>
    /// In the caller's unit of work: makes a pending job due now, at <paramref name="priority"/> or
    /// higher. A user asking for work that is already queued (in backoff, or as background work)
    /// gets it next rather than later. Other states are left alone; returns whether anything changed.
    /// </summary>
    public async Task<bool> ExpediteAsync(AppDbContext db, long jobId, int priority, CancellationToken ct = default)
    {
        var now = Now;
        return await db.Jobs
            .Where(j => j.Id == jobId && j.State == JobState.Pending && (j.RunAt > now || j.Priority < priority))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.RunAt, j => j.RunAt > now ? now : j.RunAt)
                .SetProperty(j => j.Priority, j => j.Priority < priority ? priority : j.Priority)
                .SetProperty(j => j.Version, j => j.Version + 1), ct) == 1;
    }

    /// <summary>
    /// Deletes finished jobs older than their retention (<see cref="QueueOptions.RetainSucceeded"/>,
    /// <see cref="QueueOptions.RetainFailed"/>), <paramref name="batchSize"/> rows per statement so
    /// that the write lock is never held for long. Returns how many were deleted.
    /// </summary>
    public async Task<int> PurgeFinishedAsync(int batchSize = 500, CancellationToken ct = default)
    {
        var now = Now;
        var succeededBefore = now - _options.RetainSucceeded;
        var failedBefore = now - _options.RetainFailed;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var total = 0;
        int deleted;
        do
        {
            deleted = await db.Jobs
                .Where(j => (j.State == JobState.Succeeded && j.FinishedAt < succeededBefore)
                            || ((j.State == JobState.Failed || j.State == JobState.Cancelled) && j.FinishedAt < failedBefore))
                .OrderBy(j => j.Id)
                .Take(batchSize)
                .ExecuteDeleteAsync(ct);
            total += deleted;
        }
        while (deleted == batchSize);
        return total;
    }

    private static async Task AbandonAsync(AppDbContext db, Job job, DateTime now, CancellationToken ct)
    {
        var error = $"The worker running attempt {job.Attempts} of {job.MaxAttempts} stopped responding (its lease expired); no attempts remain.";
        await db.Jobs
            .Where(j => j.Id == job.Id && j.Version == job.Version && j.LeaseExpiresAt <= now)
            .InStates(JobTransitions.Abandon.From)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobTransitions.Abandon.To)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.LastError, error)
                .SetProperty(j => j.Version, j => j.Version + 1), ct);
    }

    private static string Truncate(string error) => error.Length <= 2000 ? error : error[..2000];
}
