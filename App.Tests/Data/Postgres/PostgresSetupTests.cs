using App.Data.Postgres;
using App.Tests.Support;
using Npgsql;

namespace App.Tests.Data.Postgres;

/// <summary>What the app's PostgreSQL connections are set to, read back from the server.</summary>
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
}
