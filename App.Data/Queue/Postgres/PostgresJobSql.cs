using App.Data.Writes;
using Npgsql;

namespace App.Data.Queue;

/// <summary>
/// The queue's statements on PostgreSQL, where writers do not queue for one lock: claims take
/// their rows with <c>FOR UPDATE SKIP LOCKED</c> in a materialized CTE, so that claimers running
/// at once take different jobs instead of waiting on each other's rows (and the CTE is not inlined
/// into the UPDATE, where its LIMIT would no longer bound what is locked). A row locked in
/// between is skipped, one updated in between is checked again against the conditions (READ
/// COMMITTED's re-check of locked rows). Lease-fenced writes for many jobs are one statement over
/// arrays of the leases' ids, versions and owners, not one round trip per job.
/// </summary>
internal sealed class PostgresJobSql : JobSql
{
    private readonly Dictionary<string, string> _many;

    public PostgresJobSql()
        : base(DatabaseEngine.Postgres, larger: "GREATEST", rowLock: "FOR UPDATE")
    {
        _many = ManyLeaseStatements(larger: "GREATEST", ManyOf);
    }

    public override string AbandonExhausted { get; } = $"""
        WITH exhausted AS MATERIALIZED (
            SELECT "Id" FROM "Jobs"
            WHERE {StateIn(JobTransitions.Abandon.From)} AND "LeaseExpiresAt" <= @now AND "Attempts" >= "MaxAttempts"
            FOR UPDATE SKIP LOCKED)
        UPDATE "Jobs" AS j
        SET "State" = {To(JobTransitions.Abandon)}, "FinishedAt" = @now, "LeaseExpiresAt" = NULL, "Version" = j."Version" + 1,
            "LastError" = {AbandonMessage}
        WHERE j."Id" = ANY(ARRAY(SELECT "Id" FROM exhausted))
        """;

    public override string Rescue { get; } = Take(JobTransitions.Rescue, "\"LeaseExpiresAt\" <= @now AND \"Type\" = @type", "\"LeaseExpiresAt\"");

    public override string RescueAnyType { get; } = Take(JobTransitions.Rescue, "\"LeaseExpiresAt\" <= @now", "\"LeaseExpiresAt\"");

    /// <summary>A walk of IX_Jobs_DueByType from the type's first entry.</summary>
    public override string ClaimDue { get; } = Take(JobTransitions.Claim, "\"Type\" = @type AND \"RunAt\" <= @now", "\"Priority\" DESC, \"RunAt\", \"Id\"");

    public override string ClaimDueAnyType { get; } = Take(JobTransitions.Claim, "\"RunAt\" <= @now", "\"Priority\" DESC, \"RunAt\", \"Id\"");

    // The picked jobs are updated through their ids as an array, found by the primary key. Joined
    // with the CTE instead, the planner costed a hash join over a scan of the whole table as
    // cheaper from about a thousand picked jobs on: at a claim of 1,024 among 100,000 jobs the
    // claim took 80-88 ms, 65-72 of them hashing every job (EXPLAIN ANALYZE), against 14.5 this
    // way, which is why passes of 1,024 moved a third fewer jobs than passes of 256
    // (docs/benchmarks.md, "The claim's plan on PostgreSQL").
    private static string Take(JobTransition t, string condition, string order) => $"""
        WITH picked AS MATERIALIZED (
            SELECT "Id" FROM "Jobs"
            WHERE {StateIn(t.From)} AND {condition}
            ORDER BY {order} LIMIT @limit
            FOR UPDATE SKIP LOCKED)
        UPDATE "Jobs" AS j {TakeLease(t)}
        WHERE j."Id" = ANY(ARRAY(SELECT "Id" FROM picked))
        RETURNING {ClaimedColumns("j.")}
        """;

    public override string DeleteJobs { get; } = """
        DELETE FROM "Jobs" WHERE "Id" = ANY(@ids)
        """;

    public override string InsertEach(string values, string fromWhere) => $"""
        INSERT INTO "Jobs" ({NewJobColumns})
        SELECT {values}
        {fromWhere}
        ON CONFLICT DO NOTHING
        """;

    /// <summary>All leases in one statement: their ids, versions and owners as three arrays.</summary>
    public override bool[] PerLease(WriteConnection connection, IReadOnlyList<Lease> leases, string sql, (string Name, DateTime Value) time)
    {
        var changed = new bool[leases.Count];
        if (leases.Count == 0)
        {
            return changed;
        }
        var command = (NpgsqlCommand)connection.Statement(_many[sql]);
        BindLeases(command.Parameters, leases);
        command.Parameters.AddWithValue(time.Name, time.Value);
        using var reader = command.ExecuteReader();
        return Won(reader, leases);
    }

    /// <summary>Binds the leases of a lease-fenced statement for many jobs: three arrays, <c>@ids</c>, <c>@versions</c>, <c>@owners</c>.</summary>
    /// <remarks>
    /// The statement looks up one lease per job. Of two leases on one job (a worker that took its
    /// own job back after its lease expired), only the newest can hold, a job's version only
    /// growing: it is the one bound, so the job completes as it does on SQLite, where each lease is
    /// joined.
    /// </remarks>
    internal static void BindLeases(NpgsqlParameterCollection parameters, IReadOnlyList<Lease> leases)
    {
        var newest = Newest(leases);
        parameters.Add(new NpgsqlParameter("@ids", newest.Select(l => l.JobId).ToArray()));
        parameters.Add(new NpgsqlParameter("@versions", newest.Select(l => l.Version).ToArray()));
        parameters.Add(new NpgsqlParameter("@owners", newest.Select(l => l.Owner).ToArray()));
    }

    private static IEnumerable<Lease> Newest(IReadOnlyList<Lease> leases) =>
        leases.GroupBy(l => l.JobId).Select(g => g.MaxBy(l => l.Version)!);

    /// <summary>
    /// Transition Complete for many leases with the count of succeeded jobs (<see cref="JobSql.AddToCount"/>)
    /// in the same statement, so that a pass needs no second statement for it; returns the ids completed.
    /// </summary>
    public string CompleteCounted { get; } = $"""
        WITH done AS (
            {ManyOf(JobTransitions.Complete, SetComplete)}),
        counted AS (
            UPDATE "JobStateCounts" SET "Count" = "Count" + (SELECT COUNT(*) FROM done)
            WHERE "State" = {To(JobTransitions.Complete)} AND "Shard" = {CountShard(DatabaseEngine.Postgres)} AND EXISTS (SELECT 1 FROM done))
        SELECT "Id" FROM done
        """;

    // Each job is joined with its lease from unnest(@ids, @versions, @owners): the planner walks the
    // leases and finds each job by its primary key. The state is compared as an expression,
    // (State || ''), which no index's predicate matches, so no plan can start from the running
    // jobs instead: compared as the column, the planner (its statistics know no running job) read
    // every running job from IX_Jobs_Lease and rescanned the leases for each, running jobs ×
    // leases, 9-47 ms a pass with 4 workers (docs/benchmarks.md, "Four workers on PostgreSQL").
    // SQLite's statements keep off the state index the same way, with a unary +. Until 2026-12-03
    // each row looked its lease up with array_position, a search of the arrays from the start,
    // twice: leases² comparisons a statement, 10 ms of a 22 ms completion of 1,024 (EXPLAIN ANALYZE).
    private static string ManyOf(JobTransition t, string set) => $"""
        UPDATE "Jobs" AS j SET {set}
        FROM unnest(@ids, @versions, @owners) AS lease(job_id, job_version, owner)
        WHERE j."Id" = lease.job_id AND {StateIn(t.From, "(j.\"State\" || '')")}
            AND j."Version" = lease.job_version AND j."LeaseOwner" = lease.owner
        RETURNING j."Id"
        """;
}
