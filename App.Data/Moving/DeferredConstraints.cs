using System.Diagnostics;
using Npgsql;

namespace App.Data.Moving;

/// <summary>
/// The target's foreign keys and its indexes other than primary keys, dropped for the load and
/// restored after it, inside the copy's transaction. Checked and maintained row by row as COPY
/// inserts, they cost more than the copy itself (300,000 read marks: 16–26 s with them, 1–2 s
/// without); restored, each index is one sorted build and each foreign key one join over its
/// table. A row that breaks one still fails the copy, at the restore.
/// </summary>
internal sealed class DeferredConstraints
{
    private readonly List<(string Table, string Name, string Definition)> _foreignKeys;
    private readonly List<string> _indexes;

    private DeferredConstraints(List<(string, string, string)> foreignKeys, List<string> indexes)
    {
        _foreignKeys = foreignKeys;
        _indexes = indexes;
    }

    /// <summary>Drops them (foreign keys first: they may rest on the indexes) and keeps their definitions.</summary>
    public static async Task<DeferredConstraints> DropAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var foreignKeys = await ReadAsync(connection,
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
            """,
            r => (r.GetString(0), r.GetString(1), r.GetString(2)), ct);
        foreach (var (table, name, _) in foreignKeys)
        {
            await ExecuteAsync(connection, $"ALTER TABLE {table} DROP CONSTRAINT {CopyTable.Quote(name)}", ct);
        }
        // Indexes that back no constraint (a primary key stays: COPY's rows need no lookup through it).
        var indexes = await ReadAsync(connection,
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '__EFMigrationsHistory'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            r => (Name: r.GetString(0), Definition: r.GetString(1)), ct);
        foreach (var (name, _) in indexes)
        {
            await ExecuteAsync(connection, $"DROP INDEX {name}", ct);
        }
        return new DeferredConstraints(foreignKeys, [.. indexes.Select(i => i.Definition)]);
    }

    /// <summary>Builds the indexes and adds the foreign keys again, each checked over the copied rows.</summary>
    public async Task RestoreAsync(NpgsqlConnection connection, Action<string> log, CancellationToken ct)
    {
        var indexing = Stopwatch.StartNew();
        foreach (var definition in _indexes)
        {
            await ExecuteAsync(connection, definition, ct);
        }
        log($"{"indexes",-16} {_indexes.Count,12:N0} built   {indexing.Elapsed.TotalSeconds,7:F1} s");
        var checking = Stopwatch.StartNew();
        foreach (var (table, name, definition) in _foreignKeys)
        {
            await ExecuteAsync(connection, $"ALTER TABLE {table} ADD CONSTRAINT {CopyTable.Quote(name)} {definition}", ct);
        }
        log($"{"foreign keys",-16} {_foreignKeys.Count,12:N0} checked {checking.Elapsed.TotalSeconds,7:F1} s");
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> row, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(row(reader));
        }
        return rows;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
