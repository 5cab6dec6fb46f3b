using System.Data.Common;

namespace App.Data;

/// <summary>The database engines the app runs on: one SQLite file (the embedded default) or a PostgreSQL server.</summary>
public enum DatabaseEngine
{
    Sqlite,
    Postgres,
}

/// <summary>Which engine a configuration asks for, and the one difference of SQL text that is mechanical.</summary>
public static partial class DatabaseEngines
{
    /// <summary>
    /// <paramref name="sql"/>, written for SQLite with index hints (<c>INDEXED BY "IX_…"</c>: SQLite
    /// plans without statistics), as <paramref name="engine"/> takes it: PostgreSQL's planner has
    /// statistics and knows no hints, so there they are left out.
    /// </summary>
    public static string Unhinted(string sql, DatabaseEngine engine) =>
        engine == DatabaseEngine.Sqlite ? sql : IndexHint().Replace(sql, "");

    [System.Text.RegularExpressions.GeneratedRegex("INDEXED BY \"\\w+\" ?")]
    private static partial System.Text.RegularExpressions.Regex IndexHint();

    /// <summary>
    /// The engine of <paramref name="connectionString"/>: <c>Host=…</c> or <c>Server=…</c> is
    /// PostgreSQL, <c>Data Source=…</c> SQLite. <paramref name="provider"/> (<c>Database:Provider</c>:
    /// <c>sqlite</c> or <c>postgres</c>) overrides the guess.
    /// </summary>
    public static DatabaseEngine Choose(string connectionString, string? provider)
    {
        if (!string.IsNullOrWhiteSpace(provider))
        {
            return provider.Trim().ToLowerInvariant() switch
            {
                "sqlite" => DatabaseEngine.Sqlite,
                "postgres" or "postgresql" or "npgsql" => DatabaseEngine.Postgres,
                _ => throw new InvalidOperationException(
                    $"Database:Provider is '{provider}': use 'sqlite' or 'postgres' (or leave it out to choose by the connection string)."),
            };
        }
        var keys = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            return DatabaseEngine.Postgres;
        }
        if (keys.ContainsKey("Data Source") || keys.ContainsKey("DataSource") || keys.ContainsKey("Filename"))
        {
            return DatabaseEngine.Sqlite;
        }
        throw new InvalidOperationException(
            "ConnectionStrings:Default names no database: use 'Data Source=path/app.db' (SQLite) or 'Host=…;Database=…;Username=…' (PostgreSQL).");
    }
}
