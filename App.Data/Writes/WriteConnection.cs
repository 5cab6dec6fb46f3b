using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace App.Data.Writes;

/// <summary>
/// A connection for hot writes (the queue's claims and completions, the web's grouped
/// subscriptions): kept open, each statement prepared once. Not thread-safe: <see cref="WriteLane"/>
/// hands one out only inside a write transaction, to one writer at a time. Each engine opens and
/// commits in its own way (<c>Sqlite/SqliteWriteConnection</c>, <c>Postgres/PostgresWriteConnection</c>).
/// </summary>
public abstract class WriteConnection
{
    /// <summary>The engine this connection writes to: the statements a caller prepares depend on it.</summary>
    public abstract DatabaseEngine Engine { get; }

    /// <summary>How long the last committed transaction took, from BEGIN to the end of COMMIT (on SQLite: held the write lock).</summary>
    internal TimeSpan LastLockHeld { get; private protected set; }

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it; rolls back on an exception.</summary>
    internal abstract T InWriteTransaction<T>(Func<WriteConnection, T> work);

    /// <summary>The prepared command for <paramref name="sql"/>, parameters cleared.</summary>
    public abstract DbCommand Statement(string sql);

    /// <summary>Closes the connection; the next use opens it again.</summary>
    internal abstract void Close();
}

/// <summary>Parameters on either engine's commands, as Microsoft.Data.Sqlite's <c>AddWithValue</c> binds them.</summary>
public static class CommandParameters
{
    /// <summary>Adds a parameter named <paramref name="name"/>; null is SQL NULL.</summary>
    public static DbParameter AddWithValue(this DbParameterCollection parameters, string name, object? value)
    {
        DbParameter parameter = parameters switch
        {
            SqliteParameterCollection => new SqliteParameter(name, value ?? DBNull.Value),
            NpgsqlParameterCollection => new NpgsqlParameter(name, value ?? DBNull.Value),
            _ => throw new NotSupportedException($"No parameters for {parameters.GetType().Name}."),
        };
        parameters.Add(parameter);
        return parameter;
    }

    /// <summary>
    /// Adds a list of ids named <paramref name="name"/>: a JSON array on SQLite (read with
    /// <c>json_each</c>, SQLite having no array parameters), a <c>bigint[]</c> on PostgreSQL (<c>= ANY(…)</c>).
    /// </summary>
    public static DbParameter AddIds(this DbParameterCollection parameters, string name, IReadOnlyList<long> ids) =>
        parameters is SqliteParameterCollection
            ? parameters.AddWithValue(name, JsonSerializer.Serialize(ids))
            : parameters.AddWithValue(name, ids.ToArray());
}
