namespace App.Data.Queue;

/// <summary>
/// The queue's hot-path statements, named, in one place. Each runs inside a BEGIN IMMEDIATE
/// transaction, so its read and its write see the same rows; each write takes the states it
/// moves from and to from its <see cref="JobTransitions"/> entry and bumps the version, the
/// fencing token.
/// Plans are pinned: without statistics SQLite prefers the (State, FinishedAt) index for
/// <c>State = ?</c> and then scans every pending row; INDEXED BY keeps the due/lease look-ups
/// seeks on their partial indexes, and the unary <c>+</c> keeps the outer UPDATE on the rowid.
/// </summary>
internal static class JobSql
{
    /// <summary>
    /// A condition on the state column: <c>"State" = 'x'</c> for one state (the form a partial
    /// index's own condition takes, so that SQLite can use the index), else <c>IN (…)</c>.
    /// </summary>
    public static string StateIn(IReadOnlyList<JobState> states, string column = "\"State\"") =>
        states.Count == 1
            ? $"{column} = '{states[0].ToName()}'"
            : $"{column} IN ({string.Join(", ", states.Select(s => $"'{s.ToName()}'"))})";

    private static string To(JobTransition t) => $"'{t.To.ToName()}'";

    // RETURNING gives rows in no particular order: priority and due time come back so the caller can sort.
    private const string ClaimedColumns = "\"Id\", \"Version\", \"Type\", \"Payload\", \"FeedId\", \"Attempts\", \"MaxAttempts\", \"Priority\", \"RunAt\"";

    // The lease as a fencing token, written once here for every write after a claim: the row is
    // still the holder's only while all four hold (the state: the transition's source, running).
    private static string HeldByLease(JobTransition t) =>
        $"\"Id\" = $id AND \"Version\" = $version AND \"LeaseOwner\" = $owner AND {StateIn(t.From)}";

    private static string TakeLease(JobTransition t) => $"""
        SET "State" = {To(t)}, "LeaseOwner" = $owner, "LeaseExpiresAt" = $expires, "StartedAt" = $now,
            "Attempts" = "Attempts" + 1, "Version" = "Version" + 1
        """;

    /// <summary>Transition Abandon: expired leases of jobs with no attempts left are given up.</summary>
    public static readonly string AbandonExhausted = $"""
        UPDATE "Jobs"
        SET "State" = {To(JobTransitions.Abandon)}, "FinishedAt" = $now, "LeaseExpiresAt" = NULL, "Version" = "Version" + 1,
            "LastError" = 'The worker running attempt ' || "Attempts" || ' of ' || "MaxAttempts"
                          || ' stopped responding (its lease expired); no attempts remain.'
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_Lease"
                       WHERE {StateIn(JobTransitions.Abandon.From)} AND "LeaseExpiresAt" <= $now AND "Attempts" >= "MaxAttempts")
          AND {StateIn(JobTransitions.Abandon.From, "+\"State\"")}
        """;

    /// <summary>
    /// Transition Rescue: running jobs of type <c>$type</c> whose lease expired (their worker died),
    /// oldest expiry first. Only expired leases are walked, and there are few of those.
    /// </summary>
    public static readonly string Rescue = RescueOf("AND \"Type\" = $type");

    /// <summary>Transition Rescue for jobs of any type (<see cref="JobQueue.ClaimAsync(string, int, CancellationToken)"/>: tools and tests).</summary>
    public static readonly string RescueAnyType = RescueOf("");

    private static string RescueOf(string typeCondition) => $"""
        UPDATE "Jobs" {TakeLease(JobTransitions.Rescue)}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_Lease"
                       WHERE {StateIn(JobTransitions.Rescue.From)} AND "LeaseExpiresAt" <= $now {typeCondition}
                       ORDER BY "LeaseExpiresAt" LIMIT $limit)
          AND {StateIn(JobTransitions.Rescue.From, "+\"State\"")} AND +"LeaseExpiresAt" <= $now
        RETURNING {ClaimedColumns}
        """;

    /// <summary>
    /// Transition Claim: due pending jobs of type <c>$type</c> by priority, then age — an ordered
    /// walk of IX_Jobs_DueByType from the type's first entry. A worker claims each type for that
    /// type's free slots (docs/queue.md, "Slots per job type"), so the jobs of types whose slots are
    /// full are never walked over.
    /// </summary>
    public static readonly string ClaimDue = $"""
        UPDATE "Jobs" {TakeLease(JobTransitions.Claim)}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
                       WHERE {StateIn(JobTransitions.Claim.From)} AND "Type" = $type AND "RunAt" <= $now
                       ORDER BY "Priority" DESC, "RunAt", "Id" LIMIT $limit)
          AND {StateIn(JobTransitions.Claim.From, "+\"State\"")}
        RETURNING {ClaimedColumns}
        """;

    /// <summary>
    /// Transition Claim for jobs of any type, by priority, then age (tools and tests). It reads
    /// every pending job and sorts them; workers claim by type (<see cref="ClaimDue"/>).
    /// </summary>
    public static readonly string ClaimDueAnyType = $"""
        UPDATE "Jobs" {TakeLease(JobTransitions.Claim)}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
                       WHERE {StateIn(JobTransitions.Claim.From)} AND "RunAt" <= $now
                       ORDER BY "Priority" DESC, "RunAt", "Id" LIMIT $limit)
          AND {StateIn(JobTransitions.Claim.From, "+\"State\"")}
        RETURNING {ClaimedColumns}
        """;

    /// <summary>Transition Complete, fenced by the lease.</summary>
    public static readonly string Complete = $"""
        UPDATE "Jobs"
        SET "State" = {To(JobTransitions.Complete)}, "FinishedAt" = $now, "LeaseExpiresAt" = NULL, "LastError" = NULL,
            "Version" = "Version" + 1
        WHERE {HeldByLease(JobTransitions.Complete)}
        """;

    /// <summary>What a failed attempt's outcome depends on, read under the lease (inside the write transaction).</summary>
    public static readonly string ReadHeld = $"""
        SELECT "Attempts", "MaxAttempts" FROM "Jobs" WHERE {HeldByLease(JobTransitions.Fail)}
        """;

    /// <summary>
    /// Transitions FailAndRetry (<c>$state</c> pending, due at <c>$runAt</c>) and Fail (<c>$state</c>
    /// failed, finished), fenced by the lease.
    /// </summary>
    public static readonly string Fail = $"""
        UPDATE "Jobs"
        SET "State" = $state, "RunAt" = $runAt, "FinishedAt" = $finishedAt, "LeaseExpiresAt" = NULL,
            "LastError" = $error, "Version" = "Version" + 1
        WHERE {HeldByLease(JobTransitions.Fail)}
        """;

    /// <summary>
    /// Transition Release, fenced by the lease: back to pending and due at <c>$runAt</c>, the attempt
    /// refunded (the job was interrupted by a stopping worker, or its outcome met a full disk: it did not fail).
    /// </summary>
    public static readonly string Release = $"""
        UPDATE "Jobs"
        SET "State" = {To(JobTransitions.Release)}, "RunAt" = $runAt, "LeaseExpiresAt" = NULL, "Attempts" = MAX("Attempts" - 1, 0),
            "Version" = "Version" + 1
        WHERE {HeldByLease(JobTransitions.Release)}
        """;

    /// <summary>Lease renewal, fenced by the lease; keeps the version (ownership does not change).</summary>
    public static readonly string Renew = $"""
        UPDATE "Jobs" SET "LeaseExpiresAt" = $expires
        WHERE {HeldByLease(JobTransitions.Renew)}
        """;

    /// <summary>
    /// Whether a claim for type <c>$type</c> would find anything (a due pending job or an expired
    /// lease): a read, no write lock, so a worker woken by another process's commit looks before it
    /// queues to write.
    /// </summary>
    public static readonly string AnyClaimable = $"""
        SELECT EXISTS (SELECT 1 FROM "Jobs" INDEXED BY "IX_Jobs_DueByType" WHERE {StateIn(JobTransitions.Claim.From)} AND "Type" = $type AND "RunAt" <= $now)
            OR EXISTS (SELECT 1 FROM "Jobs" INDEXED BY "IX_Jobs_Lease" WHERE {StateIn(JobTransitions.Rescue.From)} AND "LeaseExpiresAt" <= $now AND "Type" = $type)
        """;

    /// <summary>
    /// Finished jobs in one state (<c>$state</c>) past their retention, oldest first: the next chunk
    /// for the purge to delete. One state at a time, so that it is a walk of IX_Jobs_StateFinished
    /// in its own order; over all finished states at once SQLite merged two index searches and
    /// sorted every purgeable row (a temp B-tree) to hand back the first few hundred.
    /// </summary>
    public const string Purgeable = """
        SELECT "Id", "BatchId" FROM "Jobs" INDEXED BY "IX_Jobs_StateFinished"
        WHERE "State" = $state AND "FinishedAt" < $before
        ORDER BY "FinishedAt" LIMIT $limit
        """;

    /// <summary>A batch keeps the counts of its jobs that the purge deletes.</summary>
    public const string CountPurged = """
        UPDATE "JobBatches"
        SET "PurgedSucceeded" = "PurgedSucceeded" + $succeeded, "PurgedFailed" = "PurgedFailed" + $failed,
            "PurgedCancelled" = "PurgedCancelled" + $cancelled
        WHERE "Id" = $batchId
        """;

    /// <summary>Deletes the jobs whose ids are in the JSON array <c>$ids</c>.</summary>
    public const string DeleteJobs = """
        DELETE FROM "Jobs" WHERE "Id" IN (SELECT "value" FROM json_each($ids))
        """;

    // The columns a new job row is written with, in the order of NewJob's values: the one
    // definition behind every way a job is created (one at a time, or many from a SELECT).
    private const string NewJobColumns = """
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
    public static readonly string Insert = $"""
        INSERT INTO "Jobs" ({NewJobColumns})
        VALUES ({NewJob("$type", "$payload", "$uniqueKey", "$feedId", "$batchId", "$priority", "$runAt", "$maxAttempts", "$now")})
        RETURNING "Id"
        """;

    /// <summary>
    /// Enqueues one job per row of <paramref name="fromWhere"/> (a FROM … WHERE … clause), with
    /// <paramref name="values"/> from <see cref="NewJob"/>; a row whose unique key is live already
    /// is skipped (INSERT OR IGNORE).
    /// </summary>
    public static string InsertEach(string values, string fromWhere) => $"""
        INSERT OR IGNORE INTO "Jobs" ({NewJobColumns})
        SELECT {values}
        {fromWhere}
        """;

    /// <summary>A new batch (for writers without EF Core); returns its id.</summary>
    public const string InsertBatch = """
        INSERT INTO "JobBatches" ("Name", "CreatedAt", "UserId", "PurgedSucceeded", "PurgedFailed", "PurgedCancelled")
        VALUES ($name, $now, $userId, 0, 0, 0)
        RETURNING "Id"
        """;

    /// <summary>
    /// The trigger on Jobs that takes a deleted finished row from <see cref="JobStateCount"/>,
    /// whatever deletes it (the purge, a deleted feed's or user's cascade); created by the
    /// JobStateCounts migration. Rows are never inserted finished (<see cref="NewJob"/>, from
    /// <see cref="JobTransitions.Created"/>), and changes of state are counted by the queue's own
    /// writes (<see cref="AddToCount"/>): AFTER INSERT and AFTER UPDATE triggers, even ones whose
    /// condition is false, doubled the cost of an inserted job (6.5 to 13 µs in an INSERT … SELECT)
    /// and added 20–35 µs to each completion, more than the rest of a claim and a completion.
    /// </summary>
    public const string CountOnDelete = "TR_Jobs_CountOnDelete";

    /// <summary>
    /// Counts the finished jobs again from the rows: for a tool that inserted finished jobs directly
    /// (the benchmarks' seeding), which the counters do not see.
    /// </summary>
    public const string Recount = """
        UPDATE "JobStateCounts" SET "Count" = (SELECT COUNT(*) FROM "Jobs" WHERE "Jobs"."State" = "JobStateCounts"."State")
        """;

    /// <summary>
    /// Adds <c>$n</c> (negative to take) to the count of finished state <c>$state</c>, in the
    /// transaction of the transition that moved the jobs; once per statement (a worker's pass
    /// completes many jobs with one), not per row.
    /// </summary>
    public const string AddToCount = """
        UPDATE "JobStateCounts" SET "Count" = "Count" + $n WHERE "State" = $state
        """;

    /// <summary>
    /// The queue's counts by state, in one read: live states counted on their partial indexes (a
    /// walk of the live rows only), finished ones read from the three rows the queue's writes keep.
    /// </summary>
    public static readonly string Counts = $"""
        SELECT (SELECT COUNT(*) FROM "Jobs" INDEXED BY "IX_Jobs_DueByType" WHERE {StateIn(JobTransitions.Claim.From)}),
               (SELECT COUNT(*) FROM "Jobs" INDEXED BY "IX_Jobs_Lease" WHERE {StateIn(JobTransitions.Rescue.From)}),
               {FinishedCount(JobState.Succeeded)}, {FinishedCount(JobState.Failed)}, {FinishedCount(JobState.Cancelled)}
        """;

    private static string FinishedCount(JobState state) =>
        $"(SELECT \"Count\" FROM \"JobStateCounts\" WHERE \"State\" = '{state.ToName()}')";

    /// <summary>The live (pending or running) job holding a unique key, if any.</summary>
    public static readonly string FindLive = $"""
        SELECT "Id" FROM "Jobs" WHERE "UniqueKey" = $uniqueKey AND {StateIn(JobTransitions.Live)} LIMIT 1
        """;
}
