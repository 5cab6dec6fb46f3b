using System.Collections.Concurrent;
using System.Data.Common;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace App.Data.Queue;

/// <summary>
/// The queue's whole API. Claims are optimistic (a conditional UPDATE per candidate, guarded by
/// id, version and state); every write after a claim is fenced by the <see cref="Lease"/> and
/// reports whether it won. States and their moves are declared in <see cref="JobTransitions"/>.
/// </summary>
public sealed class JobQueue(
    IDbContextFactory<AppDbContext> contexts,
    WriteLane lane,
    TimeProvider time,
    IOptions<QueueOptions> options)
{
    private readonly QueueOptions _options = options.Value;
    private readonly JobSql _sql = JobSql.For(lane.Engine);
    private readonly JobNotifications? _notifications = lane.Notifications;

    private static readonly TimeSpan ExpiryCheckPeriod = TimeSpan.FromSeconds(1);
    private DateTime _nextAbandonCheck = DateTime.MinValue;

    // By job type ("" for claims of any type): a type's expired leases are looked for when that type
    // is claimed, so that a type claimed often (short jobs) does not use up the look-ups of one whose
    // slots are free only now and then. Concurrent: on PostgreSQL claims have no process-wide gate.
    private readonly ConcurrentDictionary<string, DateTime> _nextExpiryCheck = [];

    // On PostgreSQL a worker's pass is one round trip when no expiry look-up is due.
    private readonly PostgresPass? _onePass = lane.Engine == DatabaseEngine.Postgres ? new PostgresPass() : null;

    /// <summary>Effects a handler commits together with its job's outcome.</summary>
    public delegate Task Effects(AppDbContext db, CancellationToken ct);

    /// <summary>Effects committed with a failed attempt; <paramref name="final"/> tells whether the job is now failed for good.</summary>
    public delegate Task FailEffects(AppDbContext db, bool final, CancellationToken ct);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Adds a job inside the caller's open EF Core transaction, its unit of work: the job commits or
    /// rolls back with whatever else the caller writes. Returns the job's id.
    /// </summary>
    public async Task<long> EnqueueAsync(AppDbContext db, JobRequest request, CancellationToken ct = default)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A job joins the caller's unit of work: enqueue it inside a write transaction.");
        await using var insert = db.Database.GetDbConnection().CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = _sql.Insert;
        Bind(insert, NewJob(request));
        var id = (long)(await insert.ExecuteScalarAsync(ct))!;
        await NotifyAsync(transaction, ct);
        return id;
    }

    /// <summary>On PostgreSQL, wakes idle workers when the caller's transaction commits (<see cref="JobNotifications"/>).</summary>
    private async Task NotifyAsync(DbTransaction transaction, CancellationToken ct)
    {
        if (_notifications?.TakeTurn() == true)
        {
            await using var notify = transaction.Connection!.CreateCommand();
            notify.Transaction = transaction;
            notify.CommandText = JobNotifications.Notify;
            await notify.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Adds a job inside a write transaction of <see cref="WriteLane"/>: for units of work written
    /// without EF Core, such as a group commit. Returns the job's id.
    /// </summary>
    public long Enqueue(WriteConnection connection, JobRequest request) => Insert(connection, NewJob(request));

    /// <summary>Enqueues <paramref name="requests"/> in one transaction of their own; returns their ids in order.</summary>
    public Task<long[]> EnqueueManyAsync(IReadOnlyList<JobRequest> requests, CancellationToken ct = default) =>
        lane.InWriteTransactionAsync(c => requests.Select(r => Enqueue(c, r)).ToArray(), ct);

    /// <summary>
    /// Adds a <see cref="JobBatch"/> inside a write transaction of <see cref="WriteLane"/>,
    /// for the jobs enqueued after it with its id as <see cref="JobRequest.BatchId"/>. Returns its id.
    /// </summary>
    public long AddBatch(WriteConnection connection, string name, long? userId)
    {
        var insert = connection.Statement(_sql.InsertBatch);
        insert.Parameters.AddWithValue("@name", name);
        insert.Parameters.AddWithValue("@now", Now);
        insert.Parameters.AddWithValue("@userId", (object?)userId ?? DBNull.Value);
        return (long)insert.ExecuteScalar()!;
    }

    private Job NewJob(JobRequest request)
    {
        var now = Now;
        return new Job
        {
            Type = request.Type,
            Payload = request.Payload,
            UniqueKey = request.UniqueKey,
            FeedId = request.FeedId,
            BatchId = request.BatchId,
            Priority = request.Priority,
            RunAt = request.RunAt ?? now,
            MaxAttempts = request.MaxAttempts ?? _options.MaxAttempts,
            CreatedAt = now,
        };
    }

    private long Insert(WriteConnection connection, Job job)
    {
        var insert = connection.Statement(_sql.Insert);
        Bind(insert, job);
        var id = (long)insert.ExecuteScalar()!;
        if (_notifications?.TakeTurn() == true)
        {
            connection.Statement(JobNotifications.Notify).ExecuteNonQuery();
        }
        return id;
    }

    /// <summary>Binds a new job's values to <see cref="JobSql.Insert"/>: the one statement that creates job rows.</summary>
    private static void Bind(DbCommand insert, Job job)
    {
        insert.Parameters.Clear();
        insert.Parameters.AddWithValue("@type", job.Type);
        insert.Parameters.AddWithValue("@payload", job.Payload);
        insert.Parameters.AddWithValue("@uniqueKey", (object?)job.UniqueKey ?? DBNull.Value);
        insert.Parameters.AddWithValue("@feedId", (object?)job.FeedId ?? DBNull.Value);
        insert.Parameters.AddWithValue("@batchId", (object?)job.BatchId ?? DBNull.Value);
        insert.Parameters.AddWithValue("@priority", job.Priority);
        insert.Parameters.AddWithValue("@runAt", job.RunAt);
        insert.Parameters.AddWithValue("@maxAttempts", job.MaxAttempts);
        insert.Parameters.AddWithValue("@now", job.CreatedAt);
    }

    /// <summary>The id of the live (pending or running) job holding <paramref name="uniqueKey"/>, read inside a write transaction.</summary>
    public static long? FindLive(WriteConnection connection, string uniqueKey)
    {
        var find = connection.Statement(JobSql.For(connection.Engine).FindLive);
        find.Parameters.AddWithValue("@uniqueKey", uniqueKey);
        return find.ExecuteScalar() is long id ? id : null;
    }

    /// <summary>
    /// Enqueues one job in a transaction of its own, on the queue's kept-open connection with its
    /// prepared insert: 0.8 of a bare INSERT's rate, where a pooled EF Core context per job reached
    /// 0.18. A second live job with the same unique key is refused with the engine's unique-violation
    /// error (<see cref="UniqueViolation"/>).
    /// </summary>
    public async Task<Job> EnqueueAsync(JobRequest request, CancellationToken ct = default)
    {
        var job = NewJob(request);
        job.Id = await lane.InWriteTransactionAsync(c => Insert(c, job), ct);
        return job;
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> due jobs of any type for <paramref name="owner"/>: running
    /// jobs whose lease expired (their worker died) first (looked for at most once a second), then
    /// pending jobs whose time has come, by priority. Each is a conditional UPDATE … RETURNING
    /// guarded by state, in one BEGIN IMMEDIATE transaction: a claimer that finds nothing left
    /// changes nothing. Returns each job with its lease. For tools and tests: it reads every pending
    /// job, where a worker claims by type (<see cref="ClaimAsync(string, IReadOnlyDictionary{string, int}, CancellationToken)"/>).
    /// </summary>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string owner, int max, CancellationToken ct = default)
    {
        if (max <= 0)
        {
            return [];
        }
        return await lane.InWriteTransactionAsync(c => ClaimIn(c, owner, [new(null, max)]), ct);
    }

    /// <summary>
    /// As <see cref="ClaimAsync(string, int, CancellationToken)"/>, but for each job type in
    /// <paramref name="slots"/> at most its number of jobs, and none of other types: a worker claims
    /// for each type's free slots.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string owner, IReadOnlyDictionary<string, int> slots, CancellationToken ct = default)
    {
        var wanted = Wanted(slots);
        if (wanted.Count == 0)
        {
            return [];
        }
        return await lane.InWriteTransactionAsync(c => ClaimIn(c, owner, wanted), ct);
    }

    /// <summary>
    /// One pass of a worker's writer: completes <paramref name="completed"/> (jobs that finished
    /// with nothing else to commit, each fenced by its own lease) and claims, for each job type in
    /// <paramref name="slots"/>, up to its number of due jobs of that type for <paramref name="owner"/>,
    /// all in one transaction, so that finishing jobs hand their slots straight to new ones. On
    /// SQLite, BEGIN IMMEDIATE, and with nothing to complete a cheap read first tells whether
    /// anything is claimable at all, so a worker woken for nothing does not take the write lock. On
    /// PostgreSQL, one round trip (<see cref="PostgresPass"/>) unless expired leases are due to be
    /// looked for. Synchronous: the worker calls it from its own writer thread.
    /// </summary>
    public CompleteAndClaimResult CompleteAndClaim(IReadOnlyList<Lease> completed, string owner, IReadOnlyDictionary<string, int> slots)
    {
        var wanted = Wanted(slots);
        var now = Now;
        if (_onePass is { } pass && !ExpiryLookupDue(wanted, now))
        {
            return lane.Exclusive(connection => pass.Run(connection, completed, owner, wanted, now, now + _options.LeaseDuration));
        }
        return lane.Exclusive(connection =>
        {
            // Only SQLite looks first: on PostgreSQL a claim that finds nothing writes nothing, and
            // the look, prepared once for every type, was planned as a scan of the whole table
            // (the statistics know one type), run for each type without jobs once a second.
            if (completed.Count == 0 && _onePass is null && !wanted.Any(w => AnyClaimable(connection, w.Type!)))
            {
                return new CompleteAndClaimResult([], [], TimeSpan.Zero);
            }
            var (completedFlags, claimed) = connection.InWriteTransaction(c => (
                CompleteIn(c, completed),
                wanted.Count > 0 ? ClaimIn(c, owner, wanted) : []));
            return new CompleteAndClaimResult(completedFlags, claimed, connection.LastLockHeld);
        });
    }

    /// <summary>Whether a claim now should look for expired leases (of any wanted type) first.</summary>
    private bool ExpiryLookupDue(IReadOnlyList<TypeClaim> wanted, DateTime now) =>
        now >= _nextAbandonCheck || wanted.Any(w => now >= _nextExpiryCheck.GetValueOrDefault(w.Type ?? ""));

    private static List<TypeClaim> Wanted(IReadOnlyDictionary<string, int> slots) =>
        [.. slots.Where(s => s.Value > 0).Select(s => new TypeClaim(s.Key, s.Value))];

    private bool AnyClaimable(WriteConnection connection, string type)
    {
        var check = connection.Statement(_sql.AnyClaimable);
        check.Parameters.AddWithValue("@now", Now);
        check.Parameters.AddWithValue("@type", type);
        return Convert.ToInt64(check.ExecuteScalar()) != 0;
    }

    private List<ClaimedJob> ClaimIn(WriteConnection connection, string owner, IReadOnlyList<TypeClaim> wanted)
    {
        var now = Now;
        var expires = now + _options.LeaseDuration;
        var claimed = new List<ClaimedJob>(wanted.Sum(w => w.Max));

        // Leases expire on a scale of seconds: looking for them on every claim of a busy worker
        // would double the statements of its hottest path for nothing.
        if (now >= _nextAbandonCheck)
        {
            _nextAbandonCheck = now + ExpiryCheckPeriod;
            var abandon = connection.Statement(_sql.AbandonExhausted);
            abandon.Parameters.AddWithValue("@now", now);
            AddToCount(connection.Statement(_sql.AddToCount), JobTransitions.Abandon.To, abandon.ExecuteNonQuery());
        }
        foreach (var (type, max) in wanted)
        {
            var lookForExpired = now >= _nextExpiryCheck.GetValueOrDefault(type ?? "");
            if (lookForExpired)
            {
                _nextExpiryCheck[type ?? ""] = now + ExpiryCheckPeriod;
            }
            var ofType = 0;
            string[] statements = type is null
                ? lookForExpired ? [_sql.RescueAnyType, _sql.ClaimDueAnyType] : [_sql.ClaimDueAnyType]
                : lookForExpired ? [_sql.Rescue, _sql.ClaimDue] : [_sql.ClaimDue];
            foreach (var sql in statements)
            {
                if (ofType == max)
                {
                    break;
                }
                var take = connection.Statement(sql);
                take.Parameters.AddWithValue("@owner", owner);
                take.Parameters.AddWithValue("@expires", expires);
                take.Parameters.AddWithValue("@now", now);
                take.Parameters.AddWithValue("@limit", max - ofType);
                if (type is not null)
                {
                    take.Parameters.AddWithValue("@type", type);
                }
                List<ClaimedJob> batch;
                using (var reader = take.ExecuteReader())
                {
                    batch = ClaimedJob.ReadAll(reader, owner, expires, type);
                }
                ofType += batch.Count;
                claimed.AddRange(batch);
            }
        }
        return claimed;
    }

    /// <summary>
    /// Completes jobs that have no effects to commit, all in one transaction (a group commit);
    /// each is fenced by its own lease. Returns, per lease, whether it won.
    /// </summary>
    public async Task<bool[]> CompleteManyAsync(IReadOnlyList<Lease> leases, CancellationToken ct = default) =>
        leases.Count == 0 ? [] : await lane.InWriteTransactionAsync(c => CompleteIn(c, leases), ct);

    /// <summary>Completes each lease's job, fenced by the lease, and counts those that won.</summary>
    private bool[] CompleteIn(WriteConnection connection, IReadOnlyList<Lease> leases)
    {
        var completed = _sql.PerLease(connection, leases, _sql.Complete, ("@now", Now));
        AddToCount(connection.Statement(_sql.AddToCount), JobTransitions.Complete.To, JobsWon(leases, completed));
        return completed;
    }

    /// <summary>
    /// How many jobs the won leases completed. Two leases on one job (a worker that took its own
    /// job back after its lease ran out) share the job's answer, but the job completed once.
    /// </summary>
    private static int JobsWon(IReadOnlyList<Lease> leases, bool[] won)
    {
        HashSet<long>? seen = null;
        var jobs = 0;
        for (var i = 0; i < leases.Count; i++)
        {
            if (won[i] && (seen ??= new HashSet<long>(leases.Count)).Add(leases[i].JobId))
            {
                jobs++;
            }
        }
        return jobs;
    }

    /// <summary>Adds <paramref name="n"/> jobs to the count of finished state <paramref name="state"/> (see <see cref="JobStateCount"/>).</summary>
    private static void AddToCount(DbCommand command, JobState state, int n)
    {
        if (n == 0)
        {
            return;
        }
        command.Parameters.AddWithValue("@n", n);
        command.Parameters.AddWithValue("@state", state.ToName());
        command.ExecuteNonQuery();
    }

    /// <summary><see cref="JobSql.AddToCount"/> inside the EF Core transaction of the transition.</summary>
    private async Task AddToCountAsync(AppDbContext db, JobState state, int n, CancellationToken ct)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A count changes only inside the transaction of its transition.");
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _sql.AddToCount;
        command.Parameters.AddWithValue("@n", n);
        command.Parameters.AddWithValue("@state", state.ToName());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Renews many leases in one transaction; returns, per lease, whether it is still held.</summary>
    public Task<bool[]> RenewManyAsync(IReadOnlyList<Lease> leases, CancellationToken ct = default) =>
        PerLeaseAsync(leases, _sql.Renew, ("@expires", Now + _options.LeaseDuration), ct);

    /// <summary>Runs a lease-fenced statement once per lease in one write transaction; true where it changed the row.</summary>
    private async Task<bool[]> PerLeaseAsync(
        IReadOnlyList<Lease> leases, string sql, (string Name, DateTime Value) time, CancellationToken ct)
    {
        if (leases.Count == 0)
        {
            return [];
        }
        return await lane.InWriteTransactionAsync(c => _sql.PerLease(c, leases, sql, time), ct);
    }

    /// <summary>
    /// Extends the lease of a running job. Keeps the version: ownership does not change, and the
    /// holder's token stays valid for the writes that follow.
    /// </summary>
    public async Task<bool> RenewAsync(Lease lease, CancellationToken ct = default) =>
        (await RenewManyAsync([lease], ct))[0];

    /// <summary>
    /// Marks the job succeeded and commits <paramref name="effects"/> in the same transaction.
    /// A holder that lost its lease writes nothing, effects included, and gets false.
    /// </summary>
    public async Task<bool> CompleteAsync(Lease lease, Effects? effects = null, CancellationToken ct = default)
    {
        if (effects is null)
        {
            return (await CompleteManyAsync([lease], ct))[0];
        }
        using var turn = await lane.EnterAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The fenced UPDATE goes first: it takes the write lock and tells whether we still own the job.
        await using (var complete = LeaseCommand(tx.GetDbTransaction(), _sql.Complete, lease))
        {
            complete.Parameters.AddWithValue("@now", Now);
            if (await complete.ExecuteNonQueryAsync(ct) != 1)
            {
                return false;
            }
        }
        await effects(db, ct);
        await db.SaveChangesAsync(ct);
        // Last: on PostgreSQL the count's row stays locked until commit, and effects (a feed's
        // items) can take a while; other completions counting in the same row would wait that long.
        await AddToCountAsync(db, JobTransitions.Complete.To, 1, ct);
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
        using var turn = await lane.EnterAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Read-then-write: the row cannot change in between (on SQLite the transaction is BEGIN
        // IMMEDIATE; on PostgreSQL the read locks the row).
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var transaction = tx.GetDbTransaction();
        var now = Now;
        int attempts, maxAttempts;
        await using (var read = LeaseCommand(transaction, _sql.ReadHeld, lease))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return FailOutcome.LeaseLost;
            }
            (attempts, maxAttempts) = (reader.GetInt32(0), reader.GetInt32(1));
        }

        var final = !retryable || attempts >= maxAttempts;
        var transition = final ? JobTransitions.Fail : JobTransitions.FailAndRetry;
        var backoff = now + RetryPolicy.Delay(attempts, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared.NextDouble());
        // A server that said when to come back (Retry-After) is not asked earlier.
        var runAt = final ? now : retryNotBefore > backoff ? retryNotBefore.Value : backoff;
        bool failed;
        await using (var fail = LeaseCommand(transaction, _sql.Fail, lease))
        {
            fail.Parameters.AddWithValue("@state", transition.To.ToName());
            fail.Parameters.AddWithValue("@runAt", runAt);
            fail.Parameters.AddWithValue("@finishedAt", final ? now : DBNull.Value);
            fail.Parameters.AddWithValue("@error", Truncate(error));
            failed = await fail.ExecuteNonQueryAsync(ct) == 1;
        }
        if (effects is not null)
        {
            await effects(db, final, ct);
            await db.SaveChangesAsync(ct);
        }
        if (final && failed)
        {
            // Last, as in CompleteAsync: the count's row is held only until the commit that follows.
            await AddToCountAsync(db, JobTransitions.Fail.To, 1, ct);
        }
        await tx.CommitAsync(ct);
        return final ? FailOutcome.Failed : FailOutcome.WillRetry;
    }

    /// <summary>
    /// Hands a running job back (the worker is stopping) as pending and due now. The attempt is
    /// refunded: the job did not fail, it was interrupted.
    /// </summary>
    public async Task<bool> ReleaseAsync(Lease lease, CancellationToken ct = default) =>
        (await ReleaseManyAsync([lease], ct))[0];

    /// <summary>Hands many jobs back in one transaction; returns, per lease, whether it was still held.</summary>
    public Task<bool[]> ReleaseManyAsync(IReadOnlyList<Lease> leases, CancellationToken ct = default) =>
        PerLeaseAsync(leases, _sql.Release, ("@runAt", Now), ct);

    /// <summary>
    /// Hands a running job back as pending, due at <paramref name="runAt"/>, its attempt refunded: it
    /// could not finish for a reason that is not its own (its outcome met a full disk), so it is
    /// neither failed nor tried again at once. False when the lease was lost.
    /// </summary>
    public async Task<bool> PostponeAsync(Lease lease, DateTime runAt, CancellationToken ct = default) =>
        (await PerLeaseAsync([lease], _sql.Release, ("@runAt", runAt), ct))[0];

    /// <summary>
    /// Puts a failed or cancelled job back to pending with a fresh set of attempts. False when the
    /// job is in another state, or when a live job with the same unique key exists already.
    /// </summary>
    public async Task<bool> RetryAsync(long jobId, CancellationToken ct = default)
    {
        using var turn = await lane.EnterAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        try
        {
            // One source state at a time, so that the count it leaves is known.
            foreach (var from in JobTransitions.Retry.From)
            {
                if (await db.Jobs.Where(j => j.Id == jobId).InStates([from])
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(j => j.State, JobTransitions.Retry.To)
                        .SetProperty(j => j.RunAt, now)
                        .SetProperty(j => j.Attempts, 0)
                        .SetProperty(j => j.FinishedAt, (DateTime?)null)
                        .SetProperty(j => j.Version, j => j.Version + 1), ct) == 1)
                {
                    await AddToCountAsync(db, from, -1, ct);
                    await NotifyAsync(tx.GetDbTransaction(), ct);
                    await tx.CommitAsync(ct);
                    return true;
                }
            }
            return false;
        }
        catch (Exception e) when (UniqueViolation.Is(e))
        {
            return false;
        }
    }

    /// <summary>Cancels a pending job. False when it is in any other state.</summary>
    public async Task<bool> CancelAsync(long jobId, CancellationToken ct = default)
    {
        using var turn = await lane.EnterAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = Now;
        if (await db.Jobs.Where(j => j.Id == jobId).InStates(JobTransitions.Cancel.From)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobTransitions.Cancel.To)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.Version, j => j.Version + 1), ct) != 1)
        {
            return false;
        }
        await AddToCountAsync(db, JobTransitions.Cancel.To, 1, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// In the caller's unit of work: makes a pending job due now, at <paramref name="priority"/> or
    /// higher. A user asking for work that is already queued (in backoff, or as background work)
    /// gets it next rather than later. Other states are left alone; returns whether anything changed.
    /// </summary>
    public async Task<bool> ExpediteAsync(AppDbContext db, long jobId, int priority, CancellationToken ct = default)
    {
        var now = Now;
        var expedited = await db.Jobs
            .Where(j => j.Id == jobId && j.State == JobState.Pending && (j.RunAt > now || j.Priority < priority))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.RunAt, j => j.RunAt > now ? now : j.RunAt)
                .SetProperty(j => j.Priority, j => j.Priority < priority ? priority : j.Priority)
                .SetProperty(j => j.Version, j => j.Version + 1), ct) == 1;
        if (expedited && db.Database.CurrentTransaction is { } transaction)
        {
            await NotifyAsync(transaction.GetDbTransaction(), ct);
        }
        return expedited;
    }

    /// <summary>
    /// Deletes finished jobs older than their retention (<see cref="QueueOptions.RetainSucceeded"/>,
    /// <see cref="QueueOptions.RetainFailed"/>), <paramref name="batchSize"/> rows per transaction so
    /// that the write lock is never held for long. A deleted job of a <see cref="JobBatch"/> is
    /// counted on the batch in the same transaction, so the batch's progress does not shrink.
    /// Returns how many were deleted.
    /// </summary>
    public async Task<int> PurgeFinishedAsync(int batchSize = 500, CancellationToken ct = default)
    {
        var now = Now;
        var total = 0;
        foreach (var (state, retention) in new[]
        {
            (JobState.Succeeded, _options.RetainSucceeded),
            (JobState.Failed, _options.RetainFailed),
            (JobState.Cancelled, _options.RetainFailed),
        })
        {
            int deleted;
            do
            {
                deleted = await lane.InWriteTransactionAsync(c => PurgeChunk(c, state, now - retention, batchSize), ct);
                total += deleted;
            }
            while (deleted == batchSize);
        }
        return total;
    }

    private int PurgeChunk(WriteConnection connection, JobState state, DateTime before, int limit)
    {
        var ids = new List<long>(limit);
        var perBatch = new Dictionary<long, int>();
        var select = connection.Statement(_sql.Purgeable);
        select.Parameters.AddWithValue("@state", state.ToName());
        select.Parameters.AddWithValue("@before", before);
        select.Parameters.AddWithValue("@limit", limit);
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetInt64(0));
                if (!reader.IsDBNull(1))
                {
                    perBatch[reader.GetInt64(1)] = perBatch.GetValueOrDefault(reader.GetInt64(1)) + 1;
                }
            }
        }
        if (ids.Count == 0)
        {
            return 0;
        }
        foreach (var (batchId, count) in perBatch)
        {
            var counted = connection.Statement(_sql.CountPurged);
            counted.Parameters.AddWithValue("@batchId", batchId);
            counted.Parameters.AddWithValue("@succeeded", state == JobState.Succeeded ? count : 0);
            counted.Parameters.AddWithValue("@failed", state == JobState.Failed ? count : 0);
            counted.Parameters.AddWithValue("@cancelled", state == JobState.Cancelled ? count : 0);
            counted.ExecuteNonQuery();
        }
        var delete = connection.Statement(_sql.DeleteJobs);
        delete.Parameters.AddIds("@ids", ids);
        return delete.ExecuteNonQuery();
    }

    /// <summary>A lease-fenced statement of <see cref="JobSql"/> inside an EF Core transaction, its lease bound.</summary>
    private static DbCommand LeaseCommand(DbTransaction transaction, string sql, Lease lease)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("@id", lease.JobId);
        command.Parameters.AddWithValue("@version", lease.Version);
        command.Parameters.AddWithValue("@owner", lease.Owner);
        return command;
    }

    private static string Truncate(string error) => error.Length <= 2000 ? error : error[..2000];
}
