using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace App.Data.Queue;

/// <summary>
/// The queue's statements on SQLite. Every one runs inside a BEGIN IMMEDIATE transaction: the
/// file's one write lock is what makes a claim's read and write one step.
/// Plans are pinned: without statistics SQLite prefers the (State, FinishedAt) index for
/// <c>State = ?</c> and then scans every pending row; INDEXED BY keeps the due/lease look-ups
/// seeks on their partial indexes, and the unary <c>+</c> keeps the outer UPDATE on the rowid.
/// </summary>
internal sealed class SqliteJobSql() : JobSql(DatabaseEngine.Sqlite, larger: "MAX", rowLock: "")
{
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
