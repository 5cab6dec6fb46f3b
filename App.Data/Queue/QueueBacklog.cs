using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Queue;

/// <summary>
/// What the queue has ahead of it, read cheaply enough for a monitor polling every few seconds:
/// only the live jobs' partial indexes are read (never the finished rows, which can be millions),
/// no write lock is taken. Finished jobs are counted by the workers instead (metrics).
/// </summary>
public static class QueueBacklog
{
    /// <summary>Pending jobs by type: the entries of IX_Jobs_DueByType, which leads with the type (no row read).</summary>
    internal static readonly string PendingByType = $"""
        SELECT "Type", COUNT(*) FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
        WHERE {JobSql.StateIn(JobTransitions.Claim.From)} GROUP BY "Type"
        """;

    /// <summary>Running jobs by type: the entries of IX_Jobs_Lease.</summary>
    internal static readonly string RunningByType = $"""
        SELECT "Type", COUNT(*) FROM "Jobs" INDEXED BY "IX_Jobs_Lease"
        WHERE {JobSql.StateIn(JobTransitions.Rescue.From)} GROUP BY "Type"
        """;

    /// <summary>The first job type after @after with a pending job: one seek in IX_Jobs_DueByType.</summary>
    internal static readonly string NextType = $"""
        SELECT MIN("Type") FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
        WHERE {JobSql.StateIn(JobTransitions.Claim.From)} AND "Type" > @after
        """;

    /// <summary>The highest priority below @below with a pending job of type @type: one seek.</summary>
    internal static readonly string NextPriority = $"""
        SELECT MAX("Priority") FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
        WHERE {JobSql.StateIn(JobTransitions.Claim.From)} AND "Type" = @type AND "Priority" < @below
        """;

    /// <summary>The earliest due time among pending jobs of one type and priority: the first entry of its run of the index.</summary>
    internal static readonly string EarliestAtPriority = $"""
        SELECT "RunAt" FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
        WHERE {JobSql.StateIn(JobTransitions.Claim.From)} AND "Type" = @type AND "Priority" = @priority
        ORDER BY "RunAt" LIMIT 1
        """;

    /// <summary>Pending and running jobs, by type.</summary>
    public static async Task<(Dictionary<string, long> Pending, Dictionary<string, long> Running)> LiveByTypeAsync(
        AppDbContext db, CancellationToken ct)
    {
        var connection = await OpenAsync(db, ct);
        return (await CountsAsync(connection, DatabaseEngines.Unhinted(PendingByType, db.Engine), ct),
            await CountsAsync(connection, DatabaseEngines.Unhinted(RunningByType, db.Engine), ct));
    }

    /// <summary>
    /// Since when the longest-waiting due job has waited (its due time), or null when no job is due.
    /// Job types and priorities are few: the index is walked from one type's and priority's first
    /// entry to the next, so the cost is a few seeks however many jobs wait.
    /// </summary>
    public static async Task<DateTime?> OldestDueAsync(AppDbContext db, DateTime now, CancellationToken ct)
    {
        var connection = await OpenAsync(db, ct);
        DateTime? oldest = null;
        var after = "";
        var (nextType, nextPriority, earliest) = (
            DatabaseEngines.Unhinted(NextType, db.Engine), DatabaseEngines.Unhinted(NextPriority, db.Engine), DatabaseEngines.Unhinted(EarliestAtPriority, db.Engine));
        while (await ScalarAsync(connection, nextType, ct, ("@after", after)) is string type)
        {
            var below = long.MaxValue;
            while (await ScalarAsync(connection, nextPriority, ct, ("@type", type), ("@below", below)) is { } found)
            {
                // SQLite answers MAX of an integer column as a long, PostgreSQL as an int; times as text or a DateTime.
                var priority = Convert.ToInt64(found, System.Globalization.CultureInfo.InvariantCulture);
                if (await ScalarAsync(connection, earliest, ct, ("@type", type), ("@priority", priority)) is { } due)
                {
                    var runAt = due is DateTime time
                        ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
                        : DateTime.SpecifyKind(DateTime.Parse((string)due, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
                    if (runAt <= now && (oldest is null || runAt < oldest))
                    {
                        oldest = runAt;
                    }
                }
                below = priority;
            }
            after = type;
        }
        return oldest;
    }

    private static async Task<DbConnection> OpenAsync(AppDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        return db.Database.GetDbConnection();
    }

    private static async Task<Dictionary<string, long>> CountsAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync(ct))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        var result = await command.ExecuteScalarAsync(ct);
        return result is DBNull ? null : result;
    }
}
