using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Tests.Data.Queue;

/// <summary>
/// What PostgreSQL plans for the queue's claims at the claim-ahead's largest size: the picked jobs
/// are found by their primary key, never by reading the whole table.
/// </summary>
public sealed class PostgresClaimPlanTests : IAsyncLifetime
{
    private TempDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync(DatabaseEngine.Postgres);
        // Enough jobs that a scan of the table costs more than an index walk; analyzed, as
        // autovacuum would have them.
        await using var db = _db.Open();
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "Jobs" ("Type", "Payload", "State", "Priority", "RunAt", "Attempts", "MaxAttempts", "CreatedAt", "Version")
            SELECT 'noop', '{{}}', 'pending', 0, now() - interval '1 minute', 0, 5, now(), 0 FROM generate_series(1, 100000);
            ANALYZE "Jobs";
            """);
    }

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(256)]
    [InlineData(QueueOptions.MaxClaimAhead)]
    public async Task ClaimDue_OfManyJobs_FindsThemByPrimaryKey_WithoutReadingTheTable(int limit)
    {
        var plan = await ExplainAsync(JobSql.Postgres.ClaimDue, new()
        {
            ["@owner"] = "worker-a",
            ["@expires"] = DateTime.UtcNow.AddMinutes(1),
            ["@now"] = DateTime.UtcNow,
            ["@limit"] = limit,
            ["@type"] = "noop",
        });

        // Joined with the picked jobs, the planner hashed the whole table from about a thousand on (80 ms for 1,024).
        Assert.DoesNotContain("Seq Scan on \"Jobs\"", plan);
        Assert.Contains("Index Scan using \"PK_Jobs\" on \"Jobs\" j", plan);
    }

    private async Task<string> ExplainAsync(string sql, Dictionary<string, object> parameters)
    {
        await using var connection = await _db.DataSource!.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join("\n", lines);
    }
}
