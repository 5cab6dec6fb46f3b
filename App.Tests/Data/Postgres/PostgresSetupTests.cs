using App.Data.Postgres;
using App.Tests.Support;
using Npgsql;

namespace App.Tests.Data.Postgres;

/// <summary>What the app's PostgreSQL connections and tables are set to, read back from the server.</summary>
public sealed class PostgresSetupTests
{
    [Theory]
    [InlineData("", "off")]
    [InlineData(";Options=-c jit=on", "on")]
    [InlineData(";Options=-c work_mem=8MB", "off")]
    public async Task DataSource_TurnsJitOff_UnlessTheConnectionStringSetsIt(string extra, string expected)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync(migrated: false);
        try
        {
            await using var dataSource = PostgresSetup.DataSource(connectionString + extra);
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var jit = new NpgsqlCommand("SHOW jit", connection);
            Assert.Equal(expected, await jit.ExecuteScalarAsync());
            if (extra.Contains("work_mem", StringComparison.Ordinal))
            {
                // Options the connection string gives are kept beside the app's.
                await using var workMem = new NpgsqlCommand("SHOW work_mem", connection);
                Assert.Equal("8MB", await workMem.ExecuteScalarAsync());
            }
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task Migrations_VacuumUnreadItemsAfterTwoPercentOfItsRowsChange()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""SELECT reloptions FROM pg_class WHERE oid = '"UnreadItems"'::regclass""", connection);
            var options = Assert.IsType<string[]>(await command.ExecuteScalarAsync());
            Assert.Equal(
                ["autovacuum_vacuum_insert_scale_factor=0.02", "autovacuum_vacuum_scale_factor=0.02"],
                options.Order(StringComparer.Ordinal));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }
}
