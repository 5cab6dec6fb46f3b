using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace App.Data.Moving;

/// <summary>
/// Moves one column's value from a SQLite row into PostgreSQL's binary COPY, by the column's
/// PostgreSQL type: SQLite stores booleans as integers and times as UTC text, which binary COPY
/// will not take as they are.
/// </summary>
internal sealed class ColumnWriter
{
    private readonly Func<SqliteDataReader, int, NpgsqlBinaryImporter, CancellationToken, Task> _write;

    private ColumnWriter(Func<SqliteDataReader, int, NpgsqlBinaryImporter, CancellationToken, Task> write)
    {
        _write = write;
    }

    /// <summary>A writer for <paramref name="column"/>; a type the model does not use yet is refused before anything is written.</summary>
    public static ColumnWriter For(string table, CopyColumn column) => new(column.StoreType switch
    {
        "bigint" => (r, i, w, ct) => w.WriteAsync(r.GetInt64(i), column.StoreType, ct),
        "integer" => (r, i, w, ct) => w.WriteAsync(r.GetInt32(i), column.StoreType, ct),
        "smallint" => (r, i, w, ct) => w.WriteAsync(r.GetInt16(i), column.StoreType, ct),
        "boolean" => (r, i, w, ct) => w.WriteAsync(r.GetBoolean(i), column.StoreType, ct),
        "double precision" => (r, i, w, ct) => w.WriteAsync(r.GetDouble(i), column.StoreType, ct),
        "real" => (r, i, w, ct) => w.WriteAsync(r.GetFloat(i), column.StoreType, ct),
        "numeric" => (r, i, w, ct) => w.WriteAsync(r.GetDecimal(i), column.StoreType, ct),
        "text" or "character varying" or "character" => (r, i, w, ct) => w.WriteAsync(r.GetString(i), column.StoreType, ct),
        "bytea" => (r, i, w, ct) => w.WriteAsync(r.GetFieldValue<byte[]>(i), column.StoreType, ct),
        "timestamp with time zone" => (r, i, w, ct) => w.WriteAsync(Utc(r, i), column.StoreType, ct),
        _ => throw new NotSupportedException(
            $"{table}.{column.Name} has the PostgreSQL type '{column.StoreType}', which the copy does not know how to read from SQLite yet."),
    });

    /// <summary>Writes the value of column <paramref name="ordinal"/> of the current row, or NULL.</summary>
    public Task WriteAsync(SqliteDataReader row, int ordinal, NpgsqlBinaryImporter importer, CancellationToken ct) =>
        row.IsDBNull(ordinal) ? importer.WriteNullAsync(ct) : _write(row, ordinal, importer, ct);

    // EF Core stores a DateTime on SQLite as "yyyy-MM-dd HH:mm:ss.FFFFFFF", UTC without a zone
    // (AppDbContext converts every time to UTC). A zone, if SQL wrote one, is honoured.
    // PostgreSQL keeps microseconds: the seventh decimal (100 ns) is dropped.
    private static DateTime Utc(SqliteDataReader row, int ordinal) =>
        row.GetValue(ordinal) is string text
            ? DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : DateTime.SpecifyKind(row.GetDateTime(ordinal), DateTimeKind.Utc);
}
