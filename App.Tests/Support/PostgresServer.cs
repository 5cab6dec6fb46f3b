using App.Data;
using App.Data.Postgres;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests run against: the one <c>TEST_POSTGRES</c> names (a connection
/// string whose user may create databases), or else a throwaway cluster of this test run
/// (<c>initdb</c> into a temp folder, <c>pg_ctl start</c> on a free port of 127.0.0.1, fsync off;
/// as root through <c>runuser -u postgres</c>), stopped when the run ends. One template database
/// is migrated once; each test database is a copy of it (<c>CREATE DATABASE … TEMPLATE</c>, about
/// 90 ms, where migrating one took seconds).
/// </summary>
public static class PostgresServer
{
    private const string Template = "app_template";

    private static readonly Lazy<Task<string>> Server = new(StartAsync);
    private static int _databases;

    /// <summary>A fresh, migrated database of its own (or, not <paramref name="migrated"/>, one without any table); returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(bool migrated = true)
    {
        var admin = await Server.Value;
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand(
                migrated ? $"CREATE DATABASE \"{name}\" TEMPLATE \"{Template}\"" : $"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/> (its connections are ended).</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(await Server.Value);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        var admin = Environment.GetEnvironmentVariable("TEST_POSTGRES") is { Length: > 0 } given
            ? new NpgsqlConnectionStringBuilder(given) { Database = "postgres" }.ConnectionString
            : await PostgresCluster.StartAsync();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Template}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Template}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var template = new NpgsqlConnectionStringBuilder(admin) { Database = Template, Pooling = false }.ConnectionString;
        var options = new DbContextOptionsBuilder<AppDbContext>();
        await using (var dataSource = PostgresSetup.DataSource(template))
        {
            PostgresSetup.Apply(options, dataSource);
            await using var db = new AppDbContext(options.Options);
            await DatabaseSetup.MigrateAsync(db, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10));
        }
        // A template may not be copied while anyone is connected to it.
        NpgsqlConnection.ClearAllPools();
        return admin;
    }
}
