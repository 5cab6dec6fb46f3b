using System.Net;
using App.Data;
using App.Data.Backups;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Backups;

public sealed class BackupsPageTests : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Page_ShowsTheLastBackupWithItsSize_AndAFailureAfterIt()
    {
        await AddRunAsync(new DateTime(2026, 1, 1, 3, 0, 0, DateTimeKind.Utc), sizeBytes: 3_500_000, error: null);

        var good = await _app.Client.GetStringAsync("/backups");
        Assert.Contains("3.3 MB", good);
        Assert.Contains("app-20260101-030000000.db", good);
        Assert.Contains("2026-01-01 03:00 UTC", good);

        await AddRunAsync(new DateTime(2026, 1, 2, 3, 0, 0, DateTimeKind.Utc), sizeBytes: null, error: "The disk is full: the snapshot could not be written.");
        var failed = await _app.Client.GetStringAsync("/backups");
        Assert.Contains("failed</strong>: The disk is full", failed);
        Assert.Contains("Last good one: <time", failed);
    }

    [Fact]
    public async Task BackUpNow_QueuesOneBackupJob_AndAsecondPressFindsIt()
    {
        var first = await _app.PostFormAsync("/backups", "/backups");
        var second = await _app.PostFormAsync("/backups", "/backups");

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        await using var db = _app.Db.Open();
        var job = await db.Jobs.SingleAsync();
        Assert.Equal(BackupJobs.Type, job.Type);
        Assert.Equal(BackupTrigger.Admin, BackupJobs.TriggerOf(job.Payload));
        Assert.Equal(JobState.Pending, job.State);
        var page = await _app.Client.GetStringAsync("/backups");
        Assert.Contains("A backup is queued or running already.", page);
        Assert.Contains($"href=\"/jobs/{job.Id}\"", page);
    }

    [Fact]
    public async Task BackUpNow_WithoutTheAntiforgeryToken_IsRefused()
    {
        var response = await _app.Client.PostAsync("/backups", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task Page_Answers404_ToSomeoneWhoIsNotAnAdministrator()
    {
        var (_, client) = await _app.CreateUserAsync("reader");

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/backups")).StatusCode);
        Assert.DoesNotContain("href=\"/backups\"", await client.GetStringAsync("/"));
        Assert.Contains("href=\"/backups\"", await _app.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task OnPostgres_ThePageSaysToUseTheServersOwnTools_AndBackUpNowQueuesNothing()
    {
        await using var app = await WebApp.StartAsync(engine: DatabaseEngine.Postgres);

        var page = await app.Client.GetStringAsync("/backups");
        Assert.Contains("pg_dump", page);
        Assert.DoesNotContain("Back up now", page);
        // The layout's sign-out form gives the token a browser would send.
        var pressed = await app.PostFormAsync("/backups", "/backups");

        Assert.Equal(HttpStatusCode.Redirect, pressed.StatusCode);
        await using var db = app.Db.Open();
        Assert.Equal(0, await db.Jobs.CountAsync());
        Assert.Equal(0, await db.Backups.CountAsync());
    }

    private async Task AddRunAsync(DateTime startedAt, long? sizeBytes, string? error)
    {
        await using var db = _app.Db.Open();
        db.Backups.Add(new Backup
        {
            StartedAt = startedAt,
            FinishedAt = startedAt.AddSeconds(2),
            Trigger = BackupTrigger.Schedule,
            Path = error is null ? Path.Combine(_app.Db.Folder, "backups", $"app-{startedAt:yyyyMMdd-HHmmss}000.db") : null,
            SizeBytes = sizeBytes,
            Error = error,
        });
        await db.SaveChangesAsync();
    }
}
