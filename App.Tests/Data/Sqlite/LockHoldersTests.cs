using App.Data.Sqlite;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace App.Tests.Data.Sqlite;

/// <summary>
/// Whether this process holds SQLite's write lock follows the transactions themselves: however
/// one ends (commit, rollback, a transaction disposed unfinished), it stops counting.
/// </summary>
public sealed class LockHoldersTests
{
    [Fact]
    public async Task ARawWriteTransaction_Holds_UntilItCommitsOrRollsBack()
    {
        using var db = await TempDatabase.CreateAsync();
        await using var connection = SqliteConnectionSetup.OpenRaw(db.ConnectionString);

        SqliteConnectionSetup.BeginImmediate(connection);
        Assert.True(LockHolders.Holds(connection));
        Assert.True(LockHolders.AnyHeld);
        Execute(connection, "COMMIT");
        Assert.False(LockHolders.Holds(connection));

        SqliteConnectionSetup.BeginImmediate(connection);
        Assert.True(LockHolders.Holds(connection));
        Execute(connection, "ROLLBACK");
        Assert.False(LockHolders.Holds(connection));
    }

    [Fact]
    public async Task AnEfCoreTransaction_Holds_AndStopsWhenDisposedWithoutCommit()
    {
        using var db = await TempDatabase.CreateAsync();
        await using var context = db.Open();
        SqliteConnection connection;
        await using (var tx = await context.Database.BeginTransactionAsync())
        {
            connection = (SqliteConnection)tx.GetDbTransaction().Connection!;
            Assert.True(LockHolders.Holds(connection));
        }
        Assert.False(LockHolders.Holds(connection));

        await using (var tx = await context.Database.BeginTransactionAsync())
        {
            Assert.True(LockHolders.Holds(connection));
            await tx.CommitAsync();
        }
        Assert.False(LockHolders.Holds(connection));
    }

    [Fact]
    public async Task ConnectionsThatWroteAndWentAway_AreNotKept()
    {
        using var db = await TempDatabase.CreateAsync();
        for (var i = 0; i < 200; i++)
        {
            await using var connection = SqliteConnectionSetup.OpenRaw(db.ConnectionString);
            SqliteConnectionSetup.BeginImmediate(connection);
            Execute(connection, "COMMIT");
        }

        // At most 64 kept past their transaction, and those other tests hold right now.
        Assert.True(LockHolders.Noted < 100, $"{LockHolders.Noted} connections noted after 200 wrote and were disposed");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
