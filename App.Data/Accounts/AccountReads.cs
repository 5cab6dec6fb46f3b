using System.Data.Common;
using App.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Data.Accounts;

/// <summary>
/// The reads every signed-in request makes (the user of a name, of an id, of an API key's hash) on
/// one kept-open connection with prepared statements. Through a pooled EF Core context each cost
/// a connection open (with its per-connection PRAGMAs) and the query's translation: measured, that
/// more than doubled the web's CPU per <c>POST /api/feeds</c>. Exact, not cached: a deleted user,
/// a changed password or a revoked key is refused by the next request. Each statement is its own
/// read transaction (autocommit), so the connection never holds back the WAL. On PostgreSQL each
/// read takes a connection from the pool, where Npgsql keeps its statements prepared.
/// </summary>
public sealed class AccountReads(IDbContextFactory<AppDbContext> contexts, NpgsqlDataSource? dataSource = null) : IDisposable
{
    private const string UserColumns = "\"Id\", \"Username\", \"PasswordHash\", \"IsAdmin\", \"SecurityStamp\", \"CreatedAt\"";

    private static readonly string ByName = $"SELECT {UserColumns} FROM \"Users\" WHERE \"Username\" = @value";

    private static readonly string ById = $"SELECT {UserColumns} FROM \"Users\" WHERE \"Id\" = @value";

    private static readonly string KeyColumns =
        $"k.\"Id\", k.\"KeyHash\", k.\"LastUsedAt\", {string.Join(", ", UserColumns.Split(", ").Select(c => "u." + c))}";

    private static readonly string ByKeyHash = $"""
        SELECT {KeyColumns} FROM "ApiKeys" AS k JOIN "Users" AS u ON u."Id" = k."UserId" WHERE k."KeyHash" = @value
        """;

    private static readonly string ByKeyId = $"""
        SELECT {KeyColumns} FROM "ApiKeys" AS k JOIN "Users" AS u ON u."Id" = k."UserId" WHERE k."Id" = @value
        """;

    // Microsoft.Data.Sqlite runs synchronously anyway; one statement at a time keeps the connection safe.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SqliteCommand> _prepared = [];
    private SqliteConnection? _connection;

    public User? UserByName(string username) => Read(ByName, username, r => ReadUser(r, 0));

    public User? UserById(long id) => Read(ById, id, r => ReadUser(r, 0));

    /// <summary>The key with <paramref name="keyHash"/> and its user, if any.</summary>
    public KeyOwner? KeyOwner(string keyHash) => Read(ByKeyHash, keyHash, ReadKey);

    /// <summary>The key with id <paramref name="keyId"/> and its user, if any.</summary>
    public KeyOwner? KeyOwner(long keyId) => Read(ByKeyId, keyId, ReadKey);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var command in _prepared.Values)
            {
                command.Dispose();
            }
            _prepared.Clear();
            _connection?.Dispose();
            _connection = null;
        }
    }

    private T? Read<T>(string sql, object value, Func<DbDataReader, T> map)
        where T : class
    {
        if (dataSource is not null)
        {
            using var read = dataSource.CreateCommand(sql);
            read.Parameters.AddWithValue("@value", value);
            using var rows = read.ExecuteReader();
            return rows.Read() ? map(rows) : null;
        }
        lock (_gate)
        {
            var command = Statement(sql);
            command.Parameters["@value"].Value = value;
            using var reader = command.ExecuteReader();
            return reader.Read() ? map(reader) : null;
        }
    }

    private SqliteCommand Statement(string sql)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            if (_connection is null)
            {
                using var db = contexts.CreateDbContext();
                // Not pooled: kept open for the life of the process, and closed with it.
                var builder = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
                _connection = SqliteConnectionSetup.OpenRaw(builder.ToString());
            }
            command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add(new SqliteParameter("@value", DBNull.Value));
            command.Prepare();
            _prepared[sql] = command;
        }
        return command;
    }

    private static KeyOwner ReadKey(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : Utc(r.GetDateTime(2)), ReadUser(r, 3));

    private static User ReadUser(DbDataReader r, int first) => new()
    {
        Id = r.GetInt64(first),
        Username = r.GetString(first + 1),
        PasswordHash = r.IsDBNull(first + 2) ? null : r.GetString(first + 2),
        IsAdmin = r.GetBoolean(first + 3),
        SecurityStamp = r.GetString(first + 4),
        CreatedAt = Utc(r.GetDateTime(first + 5)),
    };

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
