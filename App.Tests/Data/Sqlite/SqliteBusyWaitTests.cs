using System.Diagnostics;
using App.Data;
using App.Data.Feeds;
using App.Data.Sqlite;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Data.Sqlite;

/// <summary>Writers of every kind wait for a write lock held by another connection, and give up in bounded time.</summary>
public sealed class SqliteBusyWaitTests : IAsyncLifetime
{
    private TempDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RawAndEfWriters_WaitForTheLock_AndGetItWhenTheOtherConnectionCommits()
    {
        using var holder = SqliteConnectionSetup.OpenRaw(_db.ConnectionString);
        SqliteConnectionSetup.BeginImmediate(holder);

        var raw = Task.Run(() =>
        {
            using var connection = SqliteConnectionSetup.OpenRaw(_db.ConnectionString);
            SqliteConnectionSetup.BeginImmediate(connection);
            Execute(connection, "INSERT INTO \"Feeds\" (\"Url\", \"CreatedAt\", \"ConsecutiveFailures\") VALUES ('https://raw.example/', '2026-01-01', 0)");
            Execute(connection, "COMMIT");
        });
        var ef = Task.Run(async () =>
        {
            await using var db = _db.Open();
            db.Feeds.Add(new Feed { Url = "https://ef.example/", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.False(raw.IsCompleted, "the raw writer should be waiting for the lock");
        Assert.False(ef.IsCompleted, "the EF Core writer should be waiting for the lock");

        Execute(holder, "COMMIT");
        await Task.WhenAll(raw, ef).WaitAsync(TimeSpan.FromSeconds(4));

        await using var check = _db.Open();
        Assert.Equal(2, check.Feeds.Count());
    }

    [Fact]
    public async Task AWriter_GivesUpWithBusy_WhenTheLockIsHeldPastTheTimeout()
    {
        using var holder = SqliteConnectionSetup.OpenRaw(_db.ConnectionString);
        SqliteConnectionSetup.BeginImmediate(holder);
        using var waiter = SqliteConnectionSetup.OpenRaw(_db.ConnectionString);

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
        using var holder = SqliteConnectionSetup.OpenRaw(_db.ConnectionString);
        SqliteConnectionSetup.BeginImmediate(holder);

        var write = Task.Run(async () =>
        {
            await using var db = _db.Open();
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
