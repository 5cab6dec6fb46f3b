using System.Data.Common;
using System.Diagnostics;
using App.Data.Postgres;
using App.Data.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Data.Moving;

/// <summary>
/// Copies a SQLite install into an empty PostgreSQL database: the target is migrated to the
/// current schema, then every table of the model is streamed into it with binary COPY, ids kept
/// (Google Reader clients keep item ids; links keep working), in one transaction on the target, so
/// that a failure leaves it empty. The source is read in one read transaction: a consistent
/// snapshot, even if something writes to it meanwhile.
/// </summary>
public sealed class SqliteToPostgresCopy(TimeProvider time)
{
    /// <summary>
    /// Runs the copy from <paramref name="sqlite"/> (a migrated app database) to
    /// <paramref name="postgres"/>; <paramref name="log"/> hears of each table as it is done.
    /// Throws <see cref="CopyRefusedException"/> when the target holds data (it is then left untouched).
    /// </summary>
    public async Task<CopyReport> RunAsync(string sqlite, string postgres, Action<string> log, CancellationToken ct = default)
    {
        var started = Stopwatch.StartNew();
        // A row the target refuses is named in the message (the person running the copy owns the data).
        await using var dataSource = PostgresSetup.DataSource(new NpgsqlConnectionStringBuilder(postgres) { IncludeErrorDetail = true }.ConnectionString);
        var options = new DbContextOptionsBuilder<AppDbContext>();
        PostgresSetup.Apply(options, dataSource);
        await using var target = new AppDbContext(options.Options);
        var plan = CopyPlan.For(target);

        // Before migrating: a target that is refused stays exactly as it was.
        await using (var check = await dataSource.OpenConnectionAsync(ct))
        {
            await RefuseUnlessEmptyAsync(check, plan, ct);
        }
        await DatabaseSetup.MigrateAsync(target, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), ct);

        // Mode=ReadWrite: a missing file is an error, not a new empty database.
        var sourceString = new SqliteConnectionStringBuilder(sqlite) { Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ConnectionString;
        await using var source = new SqliteConnection(sourceString);
        await source.OpenAsync(ct);
        // Deferred: a read transaction. Its snapshot is taken by the first SELECT (the counts) and
        // holds for every table after it.
        await using var snapshot = source.BeginTransaction(deferred: true);
        var sourceCounts = new Dictionary<string, long>();
        foreach (var table in plan.Tables)
        {
            sourceCounts[table.Name] = await CountAsync(source, snapshot, table.Name, ct);
        }
        var notCopied = new List<CopiedTable>();
        foreach (var name in CopyPlan.Skipped)
        {
            notCopied.Add(new CopiedTable(name, await CountAsync(source, snapshot, name, ct), TimeSpan.Zero));
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Nothing else writes to the tables until the copy commits (a web process started too
        // early would create its first administrator in the middle of it): it waits, then finds users.
        await ExecuteAsync(connection, $"LOCK TABLE {string.Join(", ", plan.Tables.Select(t => CopyTable.Quote(t.Name)))} IN ACCESS EXCLUSIVE MODE", ct);
        await RefuseUnlessEmptyAsync(connection, plan, ct);
        foreach (var seeded in CopyPlan.Seeded)
        {
            await ExecuteAsync(connection, $"DELETE FROM {CopyTable.Quote(seeded)}", ct);
        }

        var constraints = await DeferredConstraints.DropAsync(connection, ct);
        var copied = new List<CopiedTable>();
        foreach (var table in plan.Tables)
        {
            var tableStarted = Stopwatch.StartNew();
            var rows = await CopyTableAsync(snapshot, connection, table, ct);
            if (rows != sourceCounts[table.Name])
            {
                throw new InvalidOperationException($"{table.Name}: {sourceCounts[table.Name]} rows on SQLite, but {rows} were copied.");
            }
            var done = new CopiedTable(table.Name, rows, tableStarted.Elapsed);
            copied.Add(done);
            log($"{done.Name,-16} {done.Rows,12:N0} rows  {done.Elapsed.TotalSeconds,7:F1} s");
        }

        await constraints.RestoreAsync(connection, log, ct);

        var handedBack = await HandBackRunningJobsAsync(connection, ct);
        await ResetIdentitiesAsync(connection, ct);
        foreach (var table in plan.Tables)
        {
            var onTarget = await CountAsync(connection, null, table.Name, ct);
            if (onTarget != sourceCounts[table.Name])
            {
                throw new InvalidOperationException($"{table.Name}: {sourceCounts[table.Name]} rows on SQLite, but {onTarget} on PostgreSQL after the copy.");
            }
        }
        await AddCountRowsAsync(connection, ct);
        await transaction.CommitAsync(ct);

        // Tables filled in one go have no planner statistics and no visibility map until autovacuum
        // comes by: until then every count of unread items reads the heap behind its index (no
        // index-only scan), and the first reads of each row write its hint bits. (On a server with
        // synchronous_commit off, as the tests' is, the map stays empty until the commit is flushed.)
        await ExecuteAsync(connection, "VACUUM (ANALYZE)", ct);
        return new CopyReport(copied, handedBack, notCopied, started.Elapsed);
    }

    /// <summary>
    /// SQLite keeps each finished state's count in one row (shard 0); PostgreSQL splits it over
    /// <see cref="JobStateCount.Shards"/> rows and adds to the row of a session's backend: the
    /// copied counts stay in row 0, and the other rows start at 0.
    /// </summary>
    private static Task AddCountRowsAsync(NpgsqlConnection connection, CancellationToken ct) => ExecuteAsync(connection, $"""
        INSERT INTO "JobStateCounts" ("State", "Shard", "Count")
        SELECT s."State", n, 0
        FROM (SELECT DISTINCT "State" FROM "JobStateCounts") AS s, generate_series(1, {JobStateCount.Shards - 1}) AS n
        ON CONFLICT DO NOTHING
        """, ct);

    private static async Task<long> CopyTableAsync(SqliteTransaction snapshot, NpgsqlConnection target, CopyTable table, CancellationToken ct)
    {
        var writers = table.Columns.Select(c => ColumnWriter.For(table.Name, c)).ToArray();
        await using var select = snapshot.Connection!.CreateCommand();
        select.Transaction = snapshot;
        select.CommandText = $"SELECT {table.ColumnList} FROM {CopyTable.Quote(table.Name)}";
        await using var rows = await select.ExecuteReaderAsync(ct);
        await using var importer = await target.BeginBinaryImportAsync(
            $"COPY {CopyTable.Quote(table.Name)} ({table.ColumnList}) FROM STDIN (FORMAT BINARY)", ct);
        while (await rows.ReadAsync(ct))
        {
            await importer.StartRowAsync(ct);
            for (var i = 0; i < writers.Length; i++)
            {
                await writers[i].WriteAsync(rows, i, importer, ct);
            }
        }
        return (long)await importer.CompleteAsync(ct);
    }

    /// <summary>
    /// Jobs that were running when the SQLite install stopped had workers that are gone: each is
    /// handed back as a stopping worker hands back its job (pending, due now, the attempt refunded,
    /// the version moved on so that no old lease matches it), for the first worker on PostgreSQL to claim.
    /// </summary>
    private async Task<int> HandBackRunningJobsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE "Jobs" SET "State" = @pending, "RunAt" = @now, "LeaseExpiresAt" = NULL,
                "Attempts" = GREATEST("Attempts" - 1, 0), "Version" = "Version" + 1
            WHERE "State" = @running
            """, connection);
        command.Parameters.AddWithValue("pending", JobState.Pending.ToName());
        command.Parameters.AddWithValue("running", JobState.Running.ToName());
        command.Parameters.AddWithValue("now", time.GetUtcNow().UtcDateTime);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The rows came with their ids, which leaves each identity's sequence at its start: the next
    /// insert would collide with a copied row. Each is set to follow the largest id.
    /// </summary>
    private static async Task ResetIdentitiesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var identities = new List<(string Table, string Column)>();
        await using (var find = new NpgsqlCommand(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            """, connection))
        await using (var reader = await find.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                identities.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        foreach (var (table, column) in identities)
        {
            await using var reset = new NpgsqlCommand(
                $"SELECT setval(pg_get_serial_sequence(@table, @column), COALESCE(MAX({CopyTable.Quote(column)}), 0) + 1, false) FROM {CopyTable.Quote(table)}",
                connection);
            reset.Parameters.AddWithValue("table", CopyTable.Quote(table));
            reset.Parameters.AddWithValue("column", column);
            await reset.ExecuteScalarAsync(ct);
        }
    }

    /// <summary>Refuses a target whose tables (any but the seeded ones) hold rows; tables not created yet are empty.</summary>
    private static async Task RefuseUnlessEmptyAsync(NpgsqlConnection connection, CopyPlan plan, CancellationToken ct)
    {
        var holding = new List<string>();
        foreach (var table in plan.Tables.Where(t => !CopyPlan.Seeded.Contains(t.Name)))
        {
            await using var exists = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", connection);
            exists.Parameters.AddWithValue("name", CopyTable.Quote(table.Name));
            if (await exists.ExecuteScalarAsync(ct) is true && await CountAsync(connection, null, table.Name, ct) is var rows and > 0)
            {
                holding.Add($"{table.Name} ({rows:N0} rows)");
            }
        }
        if (holding.Count > 0)
        {
            throw new CopyRefusedException(
                $"The PostgreSQL database {connection.Database} is not empty: it holds {string.Join(", ", holding)}. " +
                "The copy goes only into an empty database, and this one was left as it was. " +
                "Create a new database (or drop and recreate this one) and run the copy again.");
        }
    }

    private static async Task<long> CountAsync(DbConnection connection, DbTransaction? transaction, string table, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COUNT(*) FROM {CopyTable.Quote(table)}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
