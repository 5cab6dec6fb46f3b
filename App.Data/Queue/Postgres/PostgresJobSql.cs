using System.Data.Common;
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
/// arrays (<c>unnest</c>), not one round trip per job.
/// </summary>
internal sealed class PostgresJobSql : JobSql
{
    private readonly Dictionary<string, string> _many;

    public PostgresJobSql()
        : base(DatabaseEngine.Postgres, larger: "GREATEST", rowLock: "FOR UPDATE")
    {
        _many = new()
        {
            [Complete] = ManyOf(JobTransitions.Complete, CompleteSet),
            [Renew] = ManyOf(JobTransitions.Renew, """
                "LeaseExpiresAt" = @expires
                """),
            [Release] = ManyOf(JobTransitions.Release, $"""
                "State" = {To(JobTransitions.Release)}, "RunAt" = @runAt, "LeaseExpiresAt" = NULL, "Attempts" = GREATEST(j."Attempts" - 1, 0), "Version" = j."Version" + 1
                """),
        };
    }

    public override string AbandonExhausted { get; } = $"""
        WITH exhausted AS MATERIALIZED (
            SELECT "Id" FROM "Jobs"
            WHERE {StateIn(JobTransitions.Abandon.From)} AND "LeaseExpiresAt" <= @now AND "Attempts" >= "MaxAttempts"
            FOR UPDATE SKIP LOCKED)
        UPDATE "Jobs" AS j
        SET "State" = {To(JobTransitions.Abandon)}, "FinishedAt" = @now, "LeaseExpiresAt" = NULL, "Version" = j."Version" + 1,
            "LastError" = {AbandonMessage}
        FROM exhausted WHERE j."Id" = exhausted."Id"
        """;

    public override string Rescue { get; } = Take(JobTransitions.Rescue, "\"LeaseExpiresAt\" <= @now AND \"Type\" = @type", "\"LeaseExpiresAt\"");

    public override string RescueAnyType { get; } = Take(JobTransitions.Rescue, "\"LeaseExpiresAt\" <= @now", "\"LeaseExpiresAt\"");

    /// <summary>A walk of IX_Jobs_DueByType from the type's first entry.</summary>
    public override string ClaimDue { get; } = Take(JobTransitions.Claim, "\"Type\" = @type AND \"RunAt\" <= @now", "\"Priority\" DESC, \"RunAt\", \"Id\"");

    public override string ClaimDueAnyType { get; } = Take(JobTransitions.Claim, "\"RunAt\" <= @now", "\"Priority\" DESC, \"RunAt\", \"Id\"");

    private static string Take(JobTransition t, string condition, string order) => $"""
        WITH picked AS MATERIALIZED (
            SELECT "Id" FROM "Jobs"
            WHERE {StateIn(t.From)} AND {condition}
            ORDER BY {order} LIMIT @limit
            FOR UPDATE SKIP LOCKED)
        UPDATE "Jobs" AS j {TakeLease(t)}
        FROM picked WHERE j."Id" = picked."Id"
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

    /// <summary>Binds the leases of a statement over <c>unnest(@ids, @versions, @owners)</c>.</summary>
    internal static void BindLeases(NpgsqlParameterCollection parameters, IReadOnlyList<Lease> leases)
    {
        parameters.Add(new NpgsqlParameter("@ids", leases.Select(l => l.JobId).ToArray()));
        parameters.Add(new NpgsqlParameter("@versions", leases.Select(l => l.Version).ToArray()));
        parameters.Add(new NpgsqlParameter("@owners", leases.Select(l => l.Owner).ToArray()));
    }

    /// <summary>Per lease, whether its job's id is among those <paramref name="reader"/> returns (the rows a fenced statement changed).</summary>
    internal static bool[] Won(DbDataReader reader, IReadOnlyList<Lease> leases)
    {
        var won = new HashSet<long>();
        while (reader.Read())
        {
            won.Add(reader.GetInt64(0));
        }
        return [.. leases.Select(l => won.Contains(l.JobId))];
    }

    /// <summary>
    /// Transition Complete for many leases with the count of succeeded jobs (<see cref="JobSql.AddToCount"/>)
    /// in the same statement, so that a pass needs no second statement for it; returns the ids completed.
    /// </summary>
    public string CompleteCounted { get; } = $"""
        WITH done AS (
            {ManyOf(JobTransitions.Complete, CompleteSet)}),
        counted AS (
            UPDATE "JobStateCounts" SET "Count" = "Count" + (SELECT COUNT(*) FROM done)
            WHERE "State" = {To(JobTransitions.Complete)} AND "Shard" = {CountShard(DatabaseEngine.Postgres)} AND EXISTS (SELECT 1 FROM done))
        SELECT "Id" FROM done
        """;

    private static readonly string CompleteSet = $"""
        "State" = {To(JobTransitions.Complete)}, "FinishedAt" = @now, "LeaseExpiresAt" = NULL, "LastError" = NULL, "Version" = j."Version" + 1
        """;

    private static string ManyOf(JobTransition t, string set) => $"""
        UPDATE "Jobs" AS j SET {set}
        FROM unnest(@ids, @versions, @owners) AS lease(id, version, owner)
        WHERE j."Id" = lease.id AND j."Version" = lease.version AND j."LeaseOwner" = lease.owner AND {StateIn(t.From, "j.\"State\"")}
        RETURNING j."Id"
        """;
}
