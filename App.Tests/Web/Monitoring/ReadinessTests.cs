using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Backups;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace App.Tests.Web.Monitoring;

/// <summary><c>/healthz/ready</c>: degraded, with the failing checks named, when the workers stop, a due job waits too long, the last backup failed or the disk is full; <c>/healthz</c> stays the liveness probe.</summary>
public abstract class ReadinessTests(DatabaseEngine engine) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private WebApp _web = null!;

    public async Task InitializeAsync() =>
        _web = await WebApp.StartAsync(new Dictionary<string, string> { ["Health:WorkerStaleAfter"] = "00:00:03" }, engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Ready_TurnsDegraded_WhenTheWorkerIsKilled_AndHealthzStaysUp()
    {
        using var worker = RunningProcess.StartWorker(_web.Db.ConnectionString);
        var healthy = await Eventually.GetAsync(() => ReadyAsync(), r => r.Status == HttpStatusCode.OK, Patience, "readiness once the worker runs");
        Assert.Equal("healthy", healthy.Body.GetProperty("status").GetString());
        Assert.Equal("healthy", Check(healthy.Body, "workers").GetProperty("status").GetString());
        Assert.Equal("healthy", Check(healthy.Body, "database").GetProperty("status").GetString());

        // SIGKILL: the worker cannot deregister, its heartbeat just stops.
        worker.Kill();
        var degraded = await Eventually.GetAsync(() => ReadyAsync(), r => r.Status == HttpStatusCode.ServiceUnavailable, Patience, "readiness to degrade");

        Assert.Equal("degraded", degraded.Body.GetProperty("status").GetString());
        var workers = Check(degraded.Body, "workers");
        Assert.Equal("degraded", workers.GetProperty("status").GetString());
        Assert.StartsWith("No worker has reported in for ", workers.GetProperty("reason").GetString());
        Assert.Equal("healthy", Check(degraded.Body, "database").GetProperty("status").GetString());
        // Nothing that names the install: no worker id, host or process.
        Assert.DoesNotContain(Environment.MachineName, degraded.Text);
        Assert.DoesNotContain(worker.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), degraded.Text);
        Assert.Equal(HttpStatusCode.OK, (await _web.CreateAnonymousClient().GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Ready_IsDegraded_WhenNoWorkerEverReportedIn()
    {
        var ready = await ReadyAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("No worker has reported in: start a worker process.", Check(ready.Body, "workers").GetProperty("reason").GetString());
        Assert.Equal("healthy", Check(ready.Body, "due-jobs").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_IsDegraded_WhenTheOldestDueJobWaitedTooLong_WhateverItsPriority()
    {
        await new WorkerRegistry(_web.Db.Contexts, _web.Db.NewLane(), TimeProvider.System).HeartbeatAsync("fresh-worker");
        var now = DateTime.UtcNow;
        // The most urgent priority's job is recent; an older one waits behind it at a lower priority,
        // and one not yet due is older still than nothing: only due jobs count.
        await _web.Queue.EnqueueAsync(new JobRequest("urgent") { Priority = JobPriority.User, RunAt = now.AddSeconds(-10) });
        await _web.Queue.EnqueueAsync(new JobRequest("background") { Priority = JobPriority.Background, RunAt = now.AddMinutes(-7) });
        await _web.Queue.EnqueueAsync(new JobRequest("later") { Priority = -5, RunAt = now.AddHours(1) });

        var ready = await ReadyAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        var due = Check(ready.Body, "due-jobs");
        Assert.Equal("degraded", due.GetProperty("status").GetString());
        Assert.Equal("The oldest due job has waited 7 min (limit 5 min).", due.GetProperty("reason").GetString());
        Assert.Equal("healthy", Check(ready.Body, "workers").GetProperty("status").GetString());

        // Once that job ran, the queue is healthy again.
        await using (var db = _web.Db.Open())
        {
            await db.Jobs.Where(j => j.Type == "background").ExecuteUpdateAsync(s => s.SetProperty(j => j.RunAt, now));
        }
        var recovered = await ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, recovered.Status);
        Assert.Equal("healthy", recovered.Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_IsDegraded_WhenTheLastBackupFailed_AndHealthyAgainAfterOneSucceeds()
    {
        await new WorkerRegistry(_web.Db.Contexts, _web.Db.NewLane(), TimeProvider.System).HeartbeatAsync("fresh-worker");
        Assert.Equal("healthy", Check((await ReadyAsync()).Body, "backup").GetProperty("status").GetString());
        var now = DateTime.UtcNow;
        await using (var db = _web.Db.Open())
        {
            db.Backups.Add(new Backup { StartedAt = now.AddMinutes(-20), FinishedAt = now.AddMinutes(-19), Trigger = BackupTrigger.Schedule, Path = "/srv/backups/app-1.db", SizeBytes = 4096 });
            db.Backups.Add(new Backup { StartedAt = now.AddMinutes(-10), FinishedAt = now.AddMinutes(-10), Trigger = BackupTrigger.Schedule, Error = "Could not write /srv/backups: permission denied" });
            await db.SaveChangesAsync();
        }

        var ready = await ReadyAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        var backup = Check(ready.Body, "backup");
        Assert.Equal("degraded", backup.GetProperty("status").GetString());
        Assert.Equal("The last backup, 10 min ago, failed: an administrator sees why on the backups page.", backup.GetProperty("reason").GetString());
        Assert.DoesNotContain("/srv/backups", ready.Text);

        await using (var db = _web.Db.Open())
        {
            db.Backups.Add(new Backup { StartedAt = now, FinishedAt = now, Trigger = BackupTrigger.Admin, Path = "/srv/backups/app-2.db", SizeBytes = 4096 });
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync()).Status);
    }

    [Fact]
    public async Task Ready_IsDegraded_WhileTheWebsWritesMeetAFullDisk()
    {
        await new WorkerRegistry(_web.Db.Contexts, _web.Db.NewLane(), TimeProvider.System).HeartbeatAsync("fresh-worker");
        Assert.Equal("healthy", Check((await ReadyAsync()).Body, "disk").GetProperty("status").GetString());

        // The error each engine's driver raises when the disk is full (PostgreSQL's SQLSTATE disk_full).
        Exception full = engine == DatabaseEngine.Postgres
            ? new PostgresException("could not extend file: No space left on device", "ERROR", "ERROR", DiskFullState.PostgresDiskFull)
            : new SqliteException("database or disk is full", DiskFullState.SqliteFull);
        _web.Services.GetRequiredService<DiskFullState>().Observe(full);

        var ready = await ReadyAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        var disk = Check(ready.Body, "disk");
        Assert.Equal("degraded", disk.GetProperty("status").GetString());
        Assert.StartsWith("The disk is full: a write was refused ", disk.GetProperty("reason").GetString());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string Text)> ReadyAsync()
    {
        var response = await _web.CreateAnonymousClient().GetAsync("/healthz/ready");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    private static JsonElement Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}

public sealed class ReadinessTestsOnSqlite() : ReadinessTests(DatabaseEngine.Sqlite);

public sealed class ReadinessTestsOnPostgres() : ReadinessTests(DatabaseEngine.Postgres);
