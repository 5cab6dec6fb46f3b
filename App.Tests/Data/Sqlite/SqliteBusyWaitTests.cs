using System.Diagnostics;
using App.Data;
using App.Data.Feeds;
using App.Data.Sqlite;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Sqlite;

/// <summary>Writers of every kind wait for a write lock held by another connection, and give up in bounded time.</summary>
public sealed class SqliteBusyWaitTests : DatabaseTest
{
    [Fact]
    public async Task RawAndEfWriters_WaitForTheLock_AndGetItWhenTheOtherConnectionCommits()
    {
        using var holder = SqliteConnectionSetup.OpenRaw(Db.ConnectionString);
        SqliteConnectionSetup.BeginImmediate(holder);

        var raw = Task.Run(() =>
        {
            using var connection = SqliteConnectionSetup.OpenRaw(Db.ConnectionString);
            SqliteConnectionSetup.BeginImmediate(connection);
            Execute(connection, "INSERT INTO \"Feeds\" (\"Url\", \"CreatedAt\", \"ConsecutiveFailures\") VALUES ('https://raw.example/', '2026-01-01', 0)");
            Execute(connection, "COMMIT");
        });
        var ef = Task.Run(async () =>
        {
            await using var db = Db.Open();
            db.Feeds.Add(new Feed { Url = "https://ef.example/", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.False(raw.IsCompleted, "the raw writer should be waiting for the lock");
        Assert.False(ef.IsCompleted, "the EF Core writer should be waiting for the lock");

        Execute(holder, "COMMIT");
        await Task.WhenAll(raw, ef).WaitAsync(TimeSpan.FromSeconds(4));

        await using var check = Db.Open();
        Assert.Equal(2, check.Feeds.Count());
    }

    [Fact]
    public async Task AWriter_GivesUpWithBusy_WhenTheLockIsHeldPastTheTimeout()
    {
        using var holder = SqliteConnectionSetup.OpenRaw(Db.ConnectionString);
        SqliteConnectionSetup.BeginImmediate(holder);
        using var waiter = SqliteConnectionSetup.OpenRaw(Db.ConnectionString);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SqliteException>(() => Task.Run(() => SqliteConnectionSetup.BeginImmediate(waiter)));

        Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, error.SqliteErrorCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(30));
        Execute(holder, "ROLLBACK");
    }

    [Fact]
    public async Task AnEfCoreWrite_GivesUpWithBusy_AfterOneBusyWait_NotAfterMicrosoftDataSqlitesOwnRetries()
    {
        // Microsoft.Data.Sqlite retries a busy statement until the command timeout (30 s by
        // default), and each retry waited the full 5 s busy wait again: a pool thread blocked for
        // 35 s. The bound is one busy wait and one retry window.
        using var holder = SqliteConnectionSetup.OpenRaw(Db.ConnectionString);
        SqliteConnectionSetup.BeginImmediate(holder);

        var write = Task.Run(async () =>
        {
            await using var db = Db.Open();
            db.Feeds.Add(new Feed { Url = "https://ef.example/", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => write.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode);
        Execute(holder, "ROLLBACK");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
