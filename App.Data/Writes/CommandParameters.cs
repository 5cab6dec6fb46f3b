using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace App.Data.Writes;

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
