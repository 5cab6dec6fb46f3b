using System.Data.Common;
using App.Data.Writes;

namespace App.Data.Queue;

/// <summary>
/// The queue's statements, named, in one place per engine (<see cref="Sqlite"/>: <c>Sqlite/SqliteJobSql</c>;
/// <see cref="Postgres"/>: <c>Postgres/PostgresJobSql</c>), and the few ways their parameters are
/// bound differently. Each statement runs inside a write transaction, so its read and its write
/// see the same rows; each write takes the states it moves from and to from its
/// <see cref="JobTransitions"/> entry and bumps the version, the fencing token. The statements
/// that read the same on both engines are written here once; those that differ only in SQLite's
/// index hints, in the name of the larger-of-two function and in the row lock of a read are
/// written once too, from <paramref name="engine"/>, <paramref name="larger"/> and <paramref name="rowLock"/>.
/// </summary>
public abstract class JobSql(DatabaseEngine engine, string larger, string rowLock)
{
    /// <summary>The statements for one SQLite file.</summary>
    public static readonly JobSql Sqlite = new SqliteJobSql();

    /// <summary>The statements for a PostgreSQL server.</summary>
    public static readonly JobSql Postgres = new PostgresJobSql();

    /// <summary>The statements for <paramref name="engine"/>.</summary>
    public static JobSql For(DatabaseEngine engine) => engine == DatabaseEngine.Postgres ? Postgres : Sqlite;

    /// <summary>
    /// A condition on the state column: <c>"State" = 'x'</c> for one state (the form a partial
    /// index's own condition takes, so that the engine can use the index), else <c>IN (…)</c>.
    /// </summary>
    public static string StateIn(IReadOnlyList<JobState> states, string column = "\"State\"") =>
        states.Count == 1
            ? $"{column} = '{states[0].ToName()}'"
            : $"{column} IN ({string.Join(", ", states.Select(s => $"'{s.ToName()}'"))})";

    private protected static string To(JobTransition t) => $"'{t.To.ToName()}'";

    // RETURNING gives rows in no particular order: priority and due time come back so the caller can sort.
    private protected static string ClaimedColumns(string table) =>
        string.Join(", ", new[] { "Id", "Version", "Type", "Payload", "FeedId", "Attempts", "MaxAttempts", "Priority", "RunAt" }
            .Select(c => $"{table}\"{c}\""));

    // The lease as a fencing token, written once here for every write after a claim: the row is
    // still the holder's only while all four hold (the state: the transition's source, running).
    private protected static string HeldByLease(JobTransition t) =>
        $"\"Id\" = @id AND \"Version\" = @version AND \"LeaseOwner\" = @owner AND {StateIn(t.From)}";

    private protected static string TakeLease(JobTransition t) => $"""
        SET "State" = {To(t)}, "LeaseOwner" = @owner, "LeaseExpiresAt" = @expires, "StartedAt" = @now,
            "Attempts" = "Attempts" + 1, "Version" = "Version" + 1
        """;

    private protected static string AbandonMessage => """
        'The worker running attempt ' || "Attempts" || ' of ' || "MaxAttempts" || ' stopped responding (its lease expired); no attempts remain.'
        """;

    /// <summary>Transition Abandon: expired leases of jobs with no attempts left are given up.</summary>
    public abstract string AbandonExhausted { get; }

    /// <summary>
    /// Transition Rescue: running jobs of type <c>@type</c> whose lease expired (their worker died),
    /// oldest expiry first, at most <c>@limit</c>. Only expired leases are walked, and there are few of those.
    /// </summary>
    public abstract string Rescue { get; }

    /// <summary>Transition Rescue for jobs of any type (<see cref="JobQueue.ClaimAsync(string, int, CancellationToken)"/>: tools and tests).</summary>
    public abstract string RescueAnyType { get; }

    /// <summary>
    /// Transition Claim: at most <c>@limit</c> due pending jobs of type <c>@type</c> by priority,
    /// then age. A worker claims each type for that type's free slots (docs/queue.md, "Slots per
    /// job type"), so the jobs of types whose slots are full are never walked over.
    /// </summary>
    public abstract string ClaimDue { get; }

    /// <summary>Transition Claim for jobs of any type, by priority, then age (tools and tests).</summary>
    public abstract string ClaimDueAnyType { get; }

    /// <summary>
    /// Whether a claim for type <c>@type</c> would find anything (a due pending job or an expired
    /// lease): a read, no write, so a worker woken by another process's commit looks before it writes.
    /// </summary>
    public string AnyClaimable { get; } = DatabaseEngines.Unhinted($"""
        SELECT EXISTS (SELECT 1 FROM "Jobs" INDEXED BY "IX_Jobs_DueByType" WHERE {StateIn(JobTransitions.Claim.From)} AND "Type" = @type AND "RunAt" <= @now)
            OR EXISTS (SELECT 1 FROM "Jobs" INDEXED BY "IX_Jobs_Lease" WHERE {StateIn(JobTransitions.Rescue.From)} AND "LeaseExpiresAt" <= @now AND "Type" = @type)
        """, engine);

    /// <summary>Transition Complete, fenced by the lease.</summary>
    public string Complete { get; } = $"""
        UPDATE "Jobs" SET {SetComplete}
        WHERE {HeldByLease(JobTransitions.Complete)}
        """;

    // The SET clauses of the lease-fenced writes, for one lease here and for many at once in each
    // engine's statements (ManyLeaseStatements); unqualified, so they read the same in all. Properties, not
    // fields: the static instances at the top of this class are built before later static fields.
    private protected static string SetComplete => $"""
        "State" = {To(JobTransitions.Complete)}, "FinishedAt" = @now, "LeaseExpiresAt" = NULL, "LastError" = NULL, "Version" = "Version" + 1
        """;

    /// <summary>
    /// What a failed attempt's outcome depends on, read under the lease (inside the write
    /// transaction), the row kept from changing until commit: on SQLite BEGIN IMMEDIATE keeps every
    /// other writer out; under PostgreSQL's READ COMMITTED the read locks the row (FOR UPDATE).
    /// </summary>
    public string ReadHeld { get; } = $"""
        SELECT "Attempts", "MaxAttempts" FROM "Jobs" WHERE {HeldByLease(JobTransitions.Fail)} {rowLock}
        """;

    /// <summary>
    /// Transitions FailAndRetry (<c>@state</c> pending, due at <c>@runAt</c>) and Fail (<c>@state</c>
    /// failed, finished), fenced by the lease.
    /// </summary>
    public string Fail { get; } = $"""
        UPDATE "Jobs"
        SET "State" = @state, "RunAt" = @runAt, "FinishedAt" = @finishedAt, "LeaseExpiresAt" = NULL,
            "LastError" = @error, "Version" = "Version" + 1
        WHERE {HeldByLease(JobTransitions.Fail)}
        """;

    /// <summary>
    /// Transition Release, fenced by the lease: back to pending and due at <c>@runAt</c>, the attempt
    /// refunded (the job was interrupted by a stopping worker, or its outcome met a full disk: it did not fail).
    /// </summary>
    public string Release { get; } = $"""
        UPDATE "Jobs" SET {SetRelease(larger)}
        WHERE {HeldByLease(JobTransitions.Release)}
        """;

    private protected static string SetRelease(string larger) => $"""
        "State" = {To(JobTransitions.Release)}, "RunAt" = @runAt, "LeaseExpiresAt" = NULL, "Attempts" = {larger}("Attempts" - 1, 0), "Version" = "Version" + 1
        """;

    /// <summary>Lease renewal, fenced by the lease; keeps the version (ownership does not change).</summary>
    public string Renew { get; } = $"""
        UPDATE "Jobs" SET {SetRenew}
        WHERE {HeldByLease(JobTransitions.Renew)}
        """;

    private protected const string SetRenew = """
        "LeaseExpiresAt" = @expires
        """;

    /// <summary>
    /// Finished jobs in one state (<c>@state</c>) past their retention (<c>@before</c>), oldest
    /// first: the next chunk for the purge. One state at a time, so that it is a walk of
    /// IX_Jobs_StateFinished in its own order; over all finished states at once SQLite merged two
    /// index searches and sorted every purgeable row (a temp B-tree) to hand back the first few hundred.
    /// </summary>
    public string Purgeable { get; } = DatabaseEngines.Unhinted("""
        SELECT "Id", "BatchId" FROM "Jobs" INDEXED BY "IX_Jobs_StateFinished"
        WHERE "State" = @state AND "FinishedAt" < @before
        ORDER BY "FinishedAt" LIMIT @limit
        """, engine);

    /// <summary>A batch keeps the counts of its jobs that the purge deletes.</summary>
    public string CountPurged { get; } = """
        UPDATE "JobBatches"
        SET "PurgedSucceeded" = "PurgedSucceeded" + @succeeded, "PurgedFailed" = "PurgedFailed" + @failed,
            "PurgedCancelled" = "PurgedCancelled" + @cancelled
        WHERE "Id" = @batchId
        """;

    /// <summary>Deletes the jobs whose ids are bound as <c>@ids</c> (<see cref="CommandParameters.AddIds"/>).</summary>
    public abstract string DeleteJobs { get; }

    // The columns a new job row is written with, in the order of NewJob's values: the one
    // definition behind every way a job is created (one at a time, or many from a SELECT).
    private protected const string NewJobColumns = """
        "Type", "Payload", "UniqueKey", "FeedId", "BatchId", "State", "Priority", "RunAt", "Attempts", "MaxAttempts", "CreatedAt", "Version"
        """;

    /// <summary>
    /// The values of a new job, each an SQL expression, for <see cref="NewJobColumns"/>: it starts
    /// in <see cref="JobTransitions.Created"/> with no attempt made and version 0.
    /// </summary>
    public static string NewJob(
        string type, string payload, string uniqueKey, string feedId, string batchId, string priority, string runAt, string maxAttempts, string now) =>
        $"{type}, {payload}, {uniqueKey}, {feedId}, {batchId}, '{JobTransitions.Created.ToName()}', {priority}, {runAt}, 0, {maxAttempts}, {now}, 0";

    /// <summary>Enqueue: one new job, bound from a request; returns its id.</summary>
    public string Insert { get; } = $"""
        INSERT INTO "Jobs" ({NewJobColumns})
        VALUES ({NewJob("@type", "@payload", "@uniqueKey", "@feedId", "@batchId", "@priority", "@runAt", "@maxAttempts", "@now")})
        RETURNING "Id"
        """;

    /// <summary>
    /// Enqueues one job per row of <paramref name="fromWhere"/> (a FROM … WHERE … clause), with
    /// <paramref name="values"/> from <see cref="NewJob"/>; a row whose unique key is live already is skipped.
    /// </summary>
    public abstract string InsertEach(string values, string fromWhere);

    /// <summary>A new batch (for writers without EF Core); returns its id.</summary>
    public string InsertBatch { get; } = """
        INSERT INTO "JobBatches" ("Name", "CreatedAt", "UserId", "PurgedSucceeded", "PurgedFailed", "PurgedCancelled")
        VALUES (@name, @now, @userId, 0, 0, 0)
        RETURNING "Id"
        """;

    /// <summary>
    /// The trigger on Jobs that takes a deleted finished row from <see cref="JobStateCount"/>,
    /// whatever deletes it (the purge, a deleted feed's or user's cascade); created by a migration.
    /// Rows are never inserted finished (<see cref="NewJob"/>, from <see cref="JobTransitions.Created"/>),
    /// and changes of state are counted by the queue's own writes (<see cref="AddToCount"/>): on
    /// SQLite, AFTER INSERT and AFTER UPDATE triggers, even ones whose condition is false, doubled
    /// the cost of an inserted job (6.5 to 13 µs in an INSERT … SELECT) and added 20–35 µs to each
    /// completion, more than the rest of a claim and a completion.
    /// </summary>
    public const string CountOnDelete = "TR_Jobs_CountOnDelete";

    /// <summary>
    /// Counts the finished jobs again from the rows: for a tool that inserted finished jobs directly
    /// (the benchmarks' seeding), which the counters do not see.
    /// </summary>
    public string Recount { get; } = """
        UPDATE "JobStateCounts"
        SET "Count" = CASE WHEN "Shard" = 0 THEN (SELECT COUNT(*) FROM "Jobs" WHERE "Jobs"."State" = "JobStateCounts"."State") ELSE 0 END
        """;

    /// <summary>The row of <see cref="JobStateCount"/> this session adds to (see there).</summary>
    private protected static string CountShard(DatabaseEngine engine) =>
        engine == DatabaseEngine.Postgres ? $"pg_backend_pid() % {JobStateCount.Shards}" : "0";

    /// <summary>
    /// Adds <c>@n</c> (negative to take) to the count of finished state <c>@state</c>, in the
    /// transaction of the transition that moved the jobs; once per statement (a worker's pass
    /// completes many jobs with one), not per row.
    /// </summary>
    public string AddToCount { get; } = $"""
        UPDATE "JobStateCounts" SET "Count" = "Count" + @n WHERE "State" = @state AND "Shard" = {CountShard(engine)}
        """;

    /// <summary>
    /// The queue's counts by state, in one read: live states counted on their partial indexes (a
    /// walk of the live rows only), finished ones read from the three rows the queue's writes keep.
    /// </summary>
    public string Counts { get; } = DatabaseEngines.Unhinted($"""
        SELECT (SELECT COUNT(*) FROM "Jobs" INDEXED BY "IX_Jobs_DueByType" WHERE {StateIn(JobTransitions.Claim.From)}),
               (SELECT COUNT(*) FROM "Jobs" INDEXED BY "IX_Jobs_Lease" WHERE {StateIn(JobTransitions.Rescue.From)}),
               {FinishedCount(JobState.Succeeded)}, {FinishedCount(JobState.Failed)}, {FinishedCount(JobState.Cancelled)}
        """, engine);

    private protected static string FinishedCount(JobState state) =>
        $"(SELECT CAST(COALESCE(SUM(\"Count\"), 0) AS bigint) FROM \"JobStateCounts\" WHERE \"State\" = '{state.ToName()}')";

    /// <summary>The live (pending or running) job holding a unique key, if any.</summary>
    public string FindLive { get; } = $"""
        SELECT "Id" FROM "Jobs" WHERE "UniqueKey" = @uniqueKey AND {StateIn(JobTransitions.Live)} LIMIT 1
        """;

    /// <summary>
    /// <see cref="Complete"/>, <see cref="Renew"/> and <see cref="Release"/> for many leases, each
    /// one statement that <paramref name="manyOf"/> writes from the transition and its SET clause;
    /// keyed by the one-lease statement.
    /// </summary>
    private protected Dictionary<string, string> ManyLeaseStatements(string larger, Func<JobTransition, string, string> manyOf) => new()
    {
        [Complete] = manyOf(JobTransitions.Complete, SetComplete),
        [Renew] = manyOf(JobTransitions.Renew, SetRenew),
        [Release] = manyOf(JobTransitions.Release, SetRelease(larger)),
    };

    /// <summary>Per lease, whether its job's id is among those <paramref name="reader"/> returns (the rows a fenced statement changed).</summary>
    internal static bool[] Won(DbDataReader reader, IReadOnlyList<Lease> leases)
    {
        var won = new HashSet<long>(leases.Count);
        ReadIds(reader, won);
        return Won(won, leases);
    }

    /// <summary>Adds the job ids <paramref name="reader"/> returns (the rows a fenced statement changed) to <paramref name="ids"/>.</summary>
    internal static void ReadIds(DbDataReader reader, HashSet<long> ids)
    {
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
    }

    /// <summary>Per lease, whether its job is among <paramref name="won"/>.</summary>
    internal static bool[] Won(HashSet<long> won, IReadOnlyList<Lease> leases)
    {
        var changed = new bool[leases.Count];
        for (var i = 0; i < leases.Count; i++)
        {
            changed[i] = won.Contains(leases[i].JobId);
        }
        return changed;
    }

    /// <summary>
    /// Runs a lease-fenced statement (<see cref="Complete"/>, <see cref="Renew"/>, <see cref="Release"/>)
    /// for each lease, binding <c>@id</c>, <c>@version</c>, <c>@owner</c> and <paramref name="time"/>;
    /// true where it changed the row. Once per lease here; an engine may do all in one statement.
    /// </summary>
    public virtual bool[] PerLease(WriteConnection connection, IReadOnlyList<Lease> leases, string sql, (string Name, DateTime Value) time)
    {
        var changed = new bool[leases.Count];
        if (leases.Count == 0)
        {
            return changed;
        }
        var command = connection.Statement(sql);
        var id = command.Parameters.AddWithValue("@id", 0L);
        var version = command.Parameters.AddWithValue("@version", 0L);
        var owner = command.Parameters.AddWithValue("@owner", "");
        command.Parameters.AddWithValue(time.Name, time.Value);
        for (var i = 0; i < leases.Count; i++)
        {
            id.Value = leases[i].JobId;
            version.Value = leases[i].Version;
            owner.Value = leases[i].Owner;
            changed[i] = command.ExecuteNonQuery() == 1;
        }
        return changed;
    }
}
