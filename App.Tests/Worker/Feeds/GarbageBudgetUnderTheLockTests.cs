using App.Data.Sqlite;
using App.Tests.Support;
using App.Worker.Feeds;

namespace App.Tests.Worker.Feeds;

/// <summary>
/// A forced collection stops every thread, the one holding the write lock too: while this process
/// holds it, the refresh's collection waits, up to twice its budget. Alone: another test's
/// transaction would count as this process holding the lock.
/// </summary>
[Collection(RunAloneCollection.Name)]
public sealed class GarbageBudgetUnderTheLockTests
{
    [Fact]
    public async Task Spend_WaitsWhileThisProcessHoldsTheWriteLock_ButNotPastTwiceTheBudget()
    {
        using var db = await TempDatabase.CreateAsync();
        await using var connection = SqliteConnectionSetup.OpenRaw(db.ConnectionString);
        var budget = new GarbageBudget();
        var keep = new object[64];

        SqliteConnectionSetup.BeginImmediate(connection);
        Allocate(keep, GarbageBudget.Bytes * 3 / 2);
        var inside = budget.Spend();
        Allocate(keep, GarbageBudget.Bytes);
        var pastTwice = budget.Spend();
        using (var commit = connection.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }
        Allocate(keep, GarbageBudget.Bytes * 3 / 2);
        var after = budget.Spend();

        Assert.False(inside);
        Assert.True(pastTwice);
        Assert.True(after);
        GC.KeepAlive(keep);
    }

    private static void Allocate(object[] keep, long bytes)
    {
        for (var i = 0; i < bytes / 1000; i++)
        {
            keep[i % keep.Length] = new byte[1000];
        }
    }
}
