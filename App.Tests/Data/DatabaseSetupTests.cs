using App.Data;
using App.Data.Sqlite;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;

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
    public async Task MigratingAFreshFile_LogsNoWarning()
    {
        // What a fresh install's first start printed: two warnings about EF Core's own PRAGMA.
        var log = new LogRecorder(LogLevel.Debug);
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(log));
        var folder = Directory.CreateTempSubdirectory("app-tests-");
        try
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            SqliteConnectionSetup.Apply(options, $"Data Source={Path.Combine(folder.FullName, "app.db")};Pooling=False").UseLoggerFactory(loggers);
            await using var db = new AppDbContext(options.Options);

            await DatabaseSetup.MigrateAsync(db, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));

            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Empty(log.Entries.Where(l => l.Level >= LogLevel.Warning).Select(l => l.Message));
            // Still there, a level down: the migrations that rebuild a table did run.
            Assert.Contains(log.Entries, l => l.Id == RelationalEventId.NonTransactionalMigrationOperationWarning && l.Level == LogLevel.Debug);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task EveryMigrationCommandOutsideATransaction_IsEfCoresForeignKeysPragma()
    {
        // Why the warning may be lowered (SqliteConnectionSetup): a migration that ran anything
        // else outside its transaction could be left half-applied by a crash.
        using var temp = await TempDatabase.CreateAsync();
        await using var db = temp.Open();
        var migrations = db.GetService<IMigrationsAssembly>();
        var generator = db.GetService<IMigrationsSqlGenerator>();
        var models = db.GetService<IModelRuntimeInitializer>();
        var outside = new List<string>();
        foreach (var (id, type) in migrations.Migrations)
        {
            var migration = migrations.CreateMigration(type, db.Database.ProviderName!);
            var model = migration.TargetModel is { } target ? models.Initialize(target) : null;
            outside.AddRange(generator.Generate(migration.UpOperations, model)
                .Where(c => c.TransactionSuppressed)
                .Select(c => $"{id}: {c.CommandText.Trim()}"));
        }

        Assert.NotEmpty(outside);
        Assert.All(outside, c => Assert.Matches(@": PRAGMA foreign_keys = [01];$", c));
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
