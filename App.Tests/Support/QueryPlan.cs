using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Support;

/// <summary>What SQLite plans to do with a statement (EXPLAIN QUERY PLAN), one line per step; parameters stay unbound.</summary>
public static class QueryPlan
{
    /// <summary>The plan of the statement EF Core sends for <paramref name="query"/> (its parameters unbound).</summary>
    public static IReadOnlyList<string> Of(TempDatabase db, IQueryable query) =>
        Of(db, string.Join("\n", query.ToQueryString().Split('\n').Where(line => !line.StartsWith(".param", StringComparison.Ordinal))));

    public static IReadOnlyList<string> Of(TempDatabase db, string sql)
    {
        using var connection = new SqliteConnection(db.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var reader = command.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read())
        {
            steps.Add(reader.GetString(3));
        }
        return steps;
    }
}
