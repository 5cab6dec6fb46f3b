using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Data;

/// <summary>
/// Whether an error is a unique index refusing a row, on either engine: SQLite raises error 19
/// (SQLITE_CONSTRAINT), PostgreSQL SQLSTATE 23505. EF Core wraps either in a <see cref="DbUpdateException"/>.
/// </summary>
public static class UniqueViolation
{
    private const int SqliteConstraint = 19;

    private const string PostgresUniqueViolation = "23505";

    public static bool Is(Exception error) => (error is DbUpdateException { InnerException: { } inner } ? inner : error) switch
    {
        SqliteException e => e.SqliteErrorCode == SqliteConstraint,
        PostgresException e => e.SqlState == PostgresUniqueViolation,
        _ => false,
    };
}
