using App.Data.Backups;
using App.Data.Sqlite;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace App.Tests.Data.Backups;

public sealed class DatabaseBackupTests : DatabaseTest
{
    private readonly FakeTimeProvider _time = TempDatabase.FakeClock();

    [Fact]
    public async Task TakeAsync_WritesAVerifiedCopyWithEveryRow_NextToTheDatabaseByDefault()
    {
        var feed = await Db.AddFeedAsync("https://example.com/feed.xml", itemCount: 30);

        var outcome = await Backup().TakeAsync(BackupTrigger.Schedule);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(Path.Combine(Db.Folder, "backups"), Path.GetDirectoryName(outcome.Path));
        Assert.Equal(new FileInfo(outcome.Path!).Length, outcome.SizeBytes);
        Assert.Equal("app-20260101-000000000.db", Path.GetFileName(outcome.Path));
        Assert.Empty(Directory.GetFiles(Path.Combine(Db.Folder, "backups"), "*.tmp"));
        await using var copy = Open(outcome.Path!);
        Assert.Equal("ok", Scalar(copy, "PRAGMA integrity_check"));
        Assert.Equal(30L, Scalar(copy, $"SELECT COUNT(*) FROM FeedItems WHERE FeedId = {feed.Id}"));
        Assert.Equal(Scalar(OpenLive(), "SELECT COUNT(*) FROM __EFMigrationsHistory"), Scalar(copy, "SELECT COUNT(*) FROM __EFMigrationsHistory"));
    }

    [Fact]
    public async Task TakeAsync_KeepsTheNewestSnapshots_AndLeavesOtherFilesAlone()
    {
        var folder = Path.Combine(Db.Folder, "backups");
        Directory.CreateDirectory(folder);
        var mine = Path.Combine(folder, "notes.txt");
        await File.WriteAllTextAsync(mine, "keep me");
        var backup = Backup(keep: 2);
        var paths = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            paths.Add((await backup.TakeAsync(BackupTrigger.Schedule)).Path!);
            _time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal([.. paths[2..].OrderDescending()], backup.Snapshots().Select(f => f.FullName));
        Assert.False(File.Exists(paths[0]));
        Assert.True(File.Exists(mine));
    }

    [Fact]
    public async Task TakeAsync_ToAGivenFile_WritesThere_AndRefusesToOverwrite()
    {
        var target = Path.Combine(Db.Folder, "elsewhere", "copy.db");

        var first = await Backup().TakeAsync(BackupTrigger.CommandLine, target);
        var second = await Backup().TakeAsync(BackupTrigger.CommandLine, target);

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(target, first.Path);
        Assert.False(second.Succeeded);
        Assert.Contains("exists already", second.Error);
        Assert.Null(second.Path);
        Assert.Equal(first.SizeBytes, new FileInfo(target).Length);
    }

    [Fact]
    public async Task TakeAsync_ReportsTheError_WhenTheFolderCannotBeWritten()
    {
        var blocked = Path.Combine(Db.Folder, "a-file");
        await File.WriteAllTextAsync(blocked, "not a folder");

        var outcome = await Backup(directory: Path.Combine(blocked, "backups")).TakeAsync(BackupTrigger.Schedule);

        Assert.False(outcome.Succeeded);
        Assert.NotNull(outcome.Error);
        Assert.Null(outcome.SizeBytes);
    }

    [Fact]
    public async Task RecordAsync_StoresTheOutcome_AsTheLatestBackup()
    {
        var backup = Backup();
        var outcome = await backup.TakeAsync(BackupTrigger.CommandLine);

        await backup.RecordAsync(outcome);

        await using var db = Db.Open();
        var stored = await db.Backups.SingleAsync();
        Assert.Equal(outcome.Path, stored.Path);
        Assert.Equal(outcome.SizeBytes, stored.SizeBytes);
        Assert.Null(stored.Error);
        Assert.Equal(BackupTrigger.CommandLine, stored.Trigger);
    }

    private DatabaseBackup Backup(int keep = 7, string? directory = null) =>
        new(Db.Contexts, Options.Create(new BackupOptions { Keep = keep, Directory = directory }),
            new DiskFullState(_time, NullLogger<DiskFullState>.Instance), _time, NullLogger<DatabaseBackup>.Instance);

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private SqliteConnection OpenLive()
    {
        var connection = new SqliteConnection(Db.ConnectionString);
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
