using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Backups;

/// <summary><c>App.Worker backup</c> where the app cannot back up: PostgreSQL is backed up with its own tools.</summary>
public sealed class BackupCommandTests
{
    [Fact]
    public async Task Backup_OnPostgres_ExitsWithTheAdvice_AndRecordsNoFailedBackup()
    {
        using var db = await TempDatabase.CreateAsync(DatabaseEngine.Postgres);
        using var backup = RunningProcess.StartBackup(db.ConnectionString);

        await backup.WaitForExitAsync(RunningProcess.Patience);

        Assert.True(backup.ExitCode == 1, backup.Output);
        Assert.Contains("pg_dump", backup.Output);
        await using var context = db.Open();
        Assert.Equal(0, await context.Backups.CountAsync());
    }
}
