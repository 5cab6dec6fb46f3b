namespace App.Data.Queue;

/// <summary>
/// The queue's hot-path statements, named, in one place. Each runs inside a BEGIN IMMEDIATE
/// transaction, so its read and its write see the same rows; each write names the states it
/// moves from (see <see cref="JobTransitions"/>) and bumps the version, the fencing token.
/// Plans are pinned: without statistics SQLite prefers the (State, FinishedAt) index for
/// <c>State = ?</c> and then scans every pending row; INDEXED BY keeps the due/lease look-ups
/// seeks on their partial indexes, and the unary <c>+</c> keeps the outer UPDATE on the rowid.
/// </summary>
internal static class JobSql
{
    private static readonly string Pending = JobState.Pending.ToName();
    private static readonly string Running = JobState.Running.ToName();
    private static readonly string Succeeded = JobState.Succeeded.ToName();
    private static readonly string Failed = JobState.Failed.ToName();

    // RETURNING gives rows in no particular order: priority and due time come back so the caller can sort.
    private const string ClaimedColumns = "\"Id\", \"Version\", \"Type\", \"Payload\", \"FeedId\", \"Attempts\", \"MaxAttempts\", \"Priority\", \"RunAt\"";

    // The lease as a fencing token, written once here for every write after a claim: the row is
    // still the holder's only while all four hold.
    private static readonly string HeldByLease =
        $"\"Id\" = $id AND \"Version\" = $version AND \"LeaseOwner\" = $owner AND \"State\" = '{Running}'";

    private static readonly string TakeLease = $"""
        SET "State" = '{Running}', "LeaseOwner" = $owner, "LeaseExpiresAt" = $expires, "StartedAt" = $now,
            "Attempts" = "Attempts" + 1, "Version" = "Version" + 1
        """;

    /// <summary>Transition Abandon: expired leases of jobs with no attempts left are given up.</summary>
    public static readonly string AbandonExhausted = $"""
        UPDATE "Jobs"
        SET "State" = '{Failed}', "FinishedAt" = $now, "LeaseExpiresAt" = NULL, "Version" = "Version" + 1,
            "LastError" = 'The worker running attempt ' || "Attempts" || ' of ' || "MaxAttempts"
                          || ' stopped responding (its lease expired); no attempts remain.'
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_Lease"
                       WHERE "State" = '{Running}' AND "LeaseExpiresAt" <= $now AND "Attempts" >= "MaxAttempts")
          AND +"State" = '{Running}'
        """;

    /// <summary>
    /// Transition Rescue: running jobs of type <c>$type</c> whose lease expired (their worker died),
    /// oldest expiry first. Only expired leases are walked, and there are few of those.
    /// </summary>
    public static readonly string Rescue = RescueOf("AND \"Type\" = $type");

    /// <summary>Transition Rescue for jobs of any type (<see cref="JobQueue.ClaimAsync(string, int, CancellationToken)"/>: tools and tests).</summary>
    public static readonly string RescueAnyType = RescueOf("");

    private static string RescueOf(string typeCondition) => $"""
        UPDATE "Jobs" {TakeLease}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_Lease"
                       WHERE "State" = '{Running}' AND "LeaseExpiresAt" <= $now {typeCondition}
                       ORDER BY "LeaseExpiresAt" LIMIT $limit)
          AND +"State" = '{Running}' AND +"LeaseExpiresAt" <= $now
        RETURNING {ClaimedColumns}
        """;

    /// <summary>
    /// Transition Claim: due pending jobs of type <c>$type</c> by priority, then age — an ordered
    /// walk of IX_Jobs_DueByType from the type's first entry. A worker claims each type for that
    /// type's free slots (docs/queue.md, "Slots per job type"), so the jobs of types whose slots are
    /// full are never walked over.
    /// </summary>
    public static readonly string ClaimDue = $"""
        UPDATE "Jobs" {TakeLease}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
                       WHERE "State" = '{Pending}' AND "Type" = $type AND "RunAt" <= $now
                       ORDER BY "Priority" DESC, "RunAt", "Id" LIMIT $limit)
          AND +"State" = '{Pending}'
        RETURNING {ClaimedColumns}
        """;

    /// <summary>
    /// Transition Claim for jobs of any type, by priority, then age (tools and tests). It reads
    /// every pending job and sorts them; workers claim by type (<see cref="ClaimDue"/>).
    /// </summary>
    public static readonly string ClaimDueAnyType = $"""
        UPDATE "Jobs" {TakeLease}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
                       WHERE "State" = '{Pending}' AND "RunAt" <= $now
                       ORDER BY "Priority" DESC, "RunAt", "Id" LIMIT $limit)
          AND +"State" = '{Pending}'
        RETURNING {ClaimedColumns}
        """;

    /// <summary>Transition Complete, fenced by the lease.</summary>
    public static readonly string Complete = $"""
        UPDATE "Jobs"
        SET "State" = '{Succeeded}', "FinishedAt" = $now, "LeaseExpiresAt" = NULL, "LastError" = NULL,
            "Version" = "Version" + 1
        WHERE {HeldByLease}
        """;

    /// <summary>What a failed attempt's outcome depends on, read under the lease (inside the write transaction).</summary>
    public static readonly string ReadHeld = $"""
        SELECT "Attempts", "MaxAttempts" FROM "Jobs" WHERE {HeldByLease}
        """;

    /// <summary>
    /// Transitions FailAndRetry (<c>$state</c> pending, due at <c>$runAt</c>) and Fail (<c>$state</c>
    /// failed, finished), fenced by the lease.
    /// </summary>
    public static readonly string Fail = $"""
        UPDATE "Jobs"
        SET "State" = $state, "RunAt" = $runAt, "FinishedAt" = $finishedAt, "LeaseExpiresAt" = NULL,
            "LastError" = $error, "Version" = "Version" + 1
        WHERE {HeldByLease}
        """;

    /// <summary>
    /// Transition Release, fenced by the lease: back to pending and due now, the attempt refunded
    /// (the job was interrupted by a stopping worker, it did not fail).
    /// </summary>
    public static readonly string Release = $"""
        UPDATE "Jobs"
        SET "State" = '{Pending}', "RunAt" = $now, "LeaseExpiresAt" = NULL, "Attempts" = MAX("Attempts" - 1, 0),
            "Version" = "Version" + 1
        WHERE {HeldByLease}
        """;

    /// <summary>Lease renewal, fenced by the lease; keeps the version (ownership does not change).</summary>
    public static readonly string Renew = $"""
        UPDATE "Jobs" SET "LeaseExpiresAt" = $expires
        WHERE {HeldByLease}
        """;

    /// <summary>
    /// Whether a claim for type <c>$type</c> would find anything (a due pending job or an expired
    /// lease): a read, no write lock, so a worker woken by another process's commit looks before it
    /// queues to write.
    /// </summary>
    public static readonly string AnyClaimable = $"""
        SELECT EXISTS (SELECT 1 FROM "Jobs" INDEXED BY "IX_Jobs_DueByType" WHERE "State" = '{Pending}' AND "Type" = $type AND "RunAt" <= $now)
            OR EXISTS (SELECT 1 FROM "Jobs" INDEXED BY "IX_Jobs_Lease" WHERE "State" = '{Running}' AND "LeaseExpiresAt" <= $now AND "Type" = $type)
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

    /// <summary>Enqueue: a new pending job (for writers without EF Core); returns its id.</summary>
    public static readonly string Insert = $"""
        INSERT INTO "Jobs" ("Type", "Payload", "UniqueKey", "FeedId", "BatchId", "State", "Priority", "RunAt",
                            "Attempts", "MaxAttempts", "CreatedAt", "Version")
        VALUES ($type, $payload, $uniqueKey, $feedId, $batchId, '{Pending}', $priority, $runAt, 0, $maxAttempts, $now, 0)
        RETURNING "Id"
        """;

    /// <summary>A new batch (for writers without EF Core); returns its id.</summary>
    public const string InsertBatch = """
        INSERT INTO "JobBatches" ("Name", "CreatedAt", "UserId", "PurgedSucceeded", "PurgedFailed", "PurgedCancelled")
        VALUES ($name, $now, $userId, 0, 0, 0)
        RETURNING "Id"
        """;

    /// <summary>The live (pending or running) job holding a unique key, if any.</summary>
    public static readonly string FindLive = $"""
        SELECT "Id" FROM "Jobs" WHERE "UniqueKey" = $uniqueKey AND "State" IN ('{Pending}', '{Running}') LIMIT 1
        """;
}
