using App.Data;
using App.Data.Sqlite;
using App.Data.Writes;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace App.Tests.Data.Sqlite;

/// <summary>
/// The web's commits never checkpoint the WAL on the request's thread: its WalCheckpointer copies
/// it into the database file in the background. A worker's commits checkpoint as SQLite does by default.
/// </summary>
public sealed class WalCheckpointerTests : DatabaseTest
{
    [Fact]
    public async Task AnInteractiveCommitPastTheThreshold_LeavesTheWal_AndTheCheckpointerCopiesIt()
    {
        await using var services = Services(WriterPriority.Interactive);
        var before = FileLength();

        await CommitPagesAsync(services, 2_000);

        // 2,000 pages of 4 KiB are in the WAL only: the commit, past SQLite's 1,000, did not checkpoint.
        Assert.InRange(FileLength(), before, before + 1024 * 1024);
        var checkpointer = Assert.Single(services.GetServices<IHostedService>().OfType<WalCheckpointer>());
        await checkpointer.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(FileLength() > before + 7 * 1024 * 1024), TimeSpan.FromSeconds(30), "the checkpointer to copy the WAL");
        }
        finally
        {
            await checkpointer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ABackgroundCommitPastTheThreshold_Checkpoints_AndNoCheckpointerRuns()
    {
        await using var services = Services(WriterPriority.Background);
        var before = FileLength();

        await CommitPagesAsync(services, 2_000);

        Assert.True(FileLength() > before + 7 * 1024 * 1024, $"the file is {FileLength()} bytes, {before} before");
        Assert.Empty(services.GetServices<IHostedService>().OfType<WalCheckpointer>());
    }

    [Fact]
    public void ACheckpoint_ReportsTheWalCopied()
    {
        using var connection = SqliteConnectionSetup.OpenRaw(Db.ConnectionString);
        using (var write = connection.CreateCommand())
        {
            write.CommandText = "PRAGMA wal_autocheckpoint=0; CREATE TABLE Filler (Value BLOB); INSERT INTO Filler VALUES (zeroblob(100000))";
            write.ExecuteNonQuery();
        }

        var (checkpointed, inWal) = WalCheckpointer.Checkpoint(connection)!.Value;

        Assert.True(inWal > 20, $"{inWal} frames in the WAL");
        Assert.Equal(inWal, checkpointed);
    }

    private ServiceProvider Services(WriterPriority priority)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = Db.ConnectionString,
        }).Build();
        return new ServiceCollection().AddLogging().AddAppDatabase(configuration, priority).BuildServiceProvider();
    }

    /// <summary>About <paramref name="pages"/> pages of 4 KiB written in one transaction.</summary>
    private static async Task CommitPagesAsync(ServiceProvider services, int pages)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE Filler (Value BLOB)");
        await using var transaction = await db.Database.BeginTransactionAsync();
        for (var i = 0; i < pages; i++)
        {
            await db.Database.ExecuteSqlRawAsync("INSERT INTO Filler VALUES (zeroblob(4000))");
        }
        await transaction.CommitAsync();
    }

    private long FileLength() => new FileInfo(Db.Path).Length;
}
