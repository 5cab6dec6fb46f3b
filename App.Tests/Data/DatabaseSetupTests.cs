using App.Data;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data;

public sealed class DatabaseSetupTests
{
    [Fact]
    public async Task Start_IsNotBlocked_ByAMigrationLockLeftByAKilledProcess_WhenNothingIsPending()
    {
        using var temp = await TempDatabase.CreateAsync();
        await using (var db = temp.Open())
        {
            // What a process killed inside Migrate() leaves behind (EF Core 10's lock table).
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TABLE IF NOT EXISTS \"__EFMigrationsLock\" (\"Id\" INTEGER PRIMARY KEY, \"Timestamp\" TEXT NOT NULL)");
            await db.Database.ExecuteSqlRawAsync(
                "INSERT OR REPLACE INTO \"__EFMigrationsLock\" VALUES (1, strftime('%Y-%m-%d %H:%M:%f', 'now'))");
        }

        await using var again = temp.Open();
        await DatabaseSetup.MigrateAsync(again, timeout: TimeSpan.FromSeconds(5), staleLockAge: TimeSpan.FromMinutes(10));

        Assert.Empty(await again.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Migrate_LeavesTheFileInWalMode()
    {
        using var temp = await TempDatabase.CreateAsync();
        await using var connection = new SqliteConnection(temp.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }
}
