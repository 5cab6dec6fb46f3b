using System.Globalization;
using System.Text;
using App.Data.Writes;
using Microsoft.Data.Sqlite;

namespace App.Data.Queue;

/// <summary>
/// The queue's statements on SQLite. Every one runs inside a BEGIN IMMEDIATE transaction: the
/// file's one write lock is what makes a claim's read and write one step.
/// Plans are pinned: without statistics SQLite prefers the (State, FinishedAt) index for
/// <c>State = ?</c> and then scans every pending row; INDEXED BY keeps the due/lease look-ups
/// seeks on their partial indexes, and the unary <c>+</c> keeps the outer UPDATE on the rowid.
/// </summary>
internal sealed class SqliteJobSql : JobSql
{
    private readonly Dictionary<string, string> _many;

    public SqliteJobSql()
        : base(DatabaseEngine.Sqlite, larger: "MAX", rowLock: "")
    {
        _many = ManyLeaseStatements(larger: "MAX", ManyOf);
    }

    /// <summary>The statement that runs <paramref name="sql"/> (Complete, Renew, Release) for many leases at once.</summary>
    internal string ForManyLeases(string sql) => _many[sql];

    /// <summary>
    /// A lease-fenced write for many leases of one owner in one statement: the leases come as one
    /// JSON object of id → version (SQLite has no array parameters) and the owner as <c>@owner</c>,
    /// each row still fenced by its own lease. The rows are found by rowid, one per lease (the unary
    /// <c>+</c> keeps SQLite off the state index, which it would otherwise scan for
    /// <c>State = 'running'</c>).
    /// </summary>
    /// <remarks>
    /// An object of plain numbers rather than an array of [id, version, owner] arrays: json_each
    /// hands each inner array back as text that <c>-&gt;&gt;</c> parses again, and the owner was
    /// most of the bytes. Timed in a bare loop, 256 leases a statement: 5.1 against 3.7 µs a lease.
    /// </remarks>
    private static string ManyOf(JobTransition t, string set) => $"""
        UPDATE "Jobs" SET {set}
        FROM (SELECT "key" AS "LeaseId", "value" AS "LeaseVersion" FROM json_each(@leases)) AS "Lease"
        WHERE "Jobs"."Id" = "Lease"."LeaseId" AND +"Jobs"."Version" = "Lease"."LeaseVersion" AND +"Jobs"."LeaseOwner" = @owner
          AND {StateIn(t.From, "+\"Jobs\".\"State\"")}
        RETURNING "Jobs"."Id"
        """;

    /// <summary>
    /// One statement for all the leases of an owner rather than one per lease: a busy worker
    /// completes up to 256 jobs a pass, all under its own name, and each statement run through
    /// Microsoft.Data.Sqlite costs its binding, its step and its reset on the worker's one writer
    /// thread, the thread its throughput is made of (docs/queue.md, *Where the time goes*).
    /// </summary>
    public override bool[] PerLease(WriteConnection connection, IReadOnlyList<Lease> leases, string sql, (string Name, DateTime Value) time)
    {
        if (leases.Count < 2 || !_many.TryGetValue(sql, out var many))
        {
            return base.PerLease(connection, leases, sql, time);
        }
        var command = connection.Statement(many);
        var json = command.Parameters.AddWithValue("@leases", "");
        var owner = command.Parameters.AddWithValue("@owner", "");
        command.Parameters.AddWithValue(time.Name, time.Value);
        var won = new HashSet<long>(leases.Count);
        foreach (var (holder, held) in ByOwner(leases))
        {
            json.Value = LeasesJson(held);
            owner.Value = holder;
            using var reader = command.ExecuteReader();
            ReadIds(reader, won);
        }
        return Won(won, leases);
    }

    // A worker's leases are all its own; only a caller holding leases of several owners pays for grouping.
    private static IEnumerable<(string Owner, IReadOnlyList<Lease> Leases)> ByOwner(IReadOnlyList<Lease> leases)
    {
        var owner = leases[0].Owner;
        for (var i = 1; i < leases.Count; i++)
        {
            if (!string.Equals(leases[i].Owner, owner, StringComparison.Ordinal))
            {
                return leases.GroupBy(l => l.Owner, StringComparer.Ordinal).Select(g => (g.Key, (IReadOnlyList<Lease>)[.. g]));
            }
        }
        return [(owner, leases)];
    }

    private static string LeasesJson(IReadOnlyList<Lease> leases)
    {
        // Two leases on one job (a worker that took its own job back) are two members of one name:
        // json_each returns both, and the version fence keeps the newest.
        var json = new StringBuilder(leases.Count * 16).Append('{');
        for (var i = 0; i < leases.Count; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}\"{leases[i].JobId}\":{leases[i].Version}");
        }
        return json.Append('}').ToString();
    }

    public override string AbandonExhausted { get; } = $"""
        UPDATE "Jobs"
        SET "State" = {To(JobTransitions.Abandon)}, "FinishedAt" = @now, "LeaseExpiresAt" = NULL, "Version" = "Version" + 1,
            "LastError" = {AbandonMessage}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_Lease"
                       WHERE {StateIn(JobTransitions.Abandon.From)} AND "LeaseExpiresAt" <= @now AND "Attempts" >= "MaxAttempts")
          AND {StateIn(JobTransitions.Abandon.From, "+\"State\"")}
        """;

    public override string Rescue { get; } = RescueOf("AND \"Type\" = @type");

    public override string RescueAnyType { get; } = RescueOf("");

    private static string RescueOf(string typeCondition) => $"""
        UPDATE "Jobs" {TakeLease(JobTransitions.Rescue)}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_Lease"
                       WHERE {StateIn(JobTransitions.Rescue.From)} AND "LeaseExpiresAt" <= @now {typeCondition}
                       ORDER BY "LeaseExpiresAt" LIMIT @limit)
          AND {StateIn(JobTransitions.Rescue.From, "+\"State\"")} AND +"LeaseExpiresAt" <= @now
        RETURNING {ClaimedColumns("")}
        """;

    /// <summary>An ordered walk of IX_Jobs_DueByType from the type's first entry.</summary>
    public override string ClaimDue { get; } = ClaimDueOf("AND \"Type\" = @type");

    /// <summary>It reads every pending job and sorts them; workers claim by type (<see cref="ClaimDue"/>).</summary>
    public override string ClaimDueAnyType { get; } = ClaimDueOf("");

    private static string ClaimDueOf(string typeCondition) => $"""
        UPDATE "Jobs" {TakeLease(JobTransitions.Claim)}
        WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
                       WHERE {StateIn(JobTransitions.Claim.From)} {typeCondition} AND "RunAt" <= @now
                       ORDER BY "Priority" DESC, "RunAt", "Id" LIMIT @limit)
          AND {StateIn(JobTransitions.Claim.From, "+\"State\"")}
        RETURNING {ClaimedColumns("")}
        """;

    /// <summary>The ids come as a JSON array (SQLite has no array parameters).</summary>
    public override string DeleteJobs { get; } = """
        DELETE FROM "Jobs" WHERE "Id" IN (SELECT "value" FROM json_each(@ids))
        """;

    public override string InsertEach(string values, string fromWhere) => $"""
        INSERT OR IGNORE INTO "Jobs" ({NewJobColumns})
        SELECT {values}
        {fromWhere}
        """;
}
