using App.Data;
using App.Data.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Worker.Queue;

/// <summary>
/// Starts claiming within milliseconds of another process's commit, without polling the jobs
/// table: <c>PRAGMA data_version</c> on one dedicated connection changes exactly when another
/// connection committed, and reading it touches no table. A change wakes the runner, which
/// claims if capacity is free; the Quartz poll stays as the safety net.
/// </summary>
public sealed class QueueWakeup(
    IDbContextFactory<AppDbContext> contexts,
    JobRunner runner,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<QueueWakeup> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.WakeupInterval;
        if (period <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WatchAsync(period, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The poll still claims meanwhile; watch again after a pause.
                log.LogWarning(e, "Watching the database for new jobs failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private async Task WatchAsync(TimeSpan period, CancellationToken ct)
    {
        string connectionString;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            connectionString = db.Database.GetConnectionString()!;
        }
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        var last = (long)(await command.ExecuteScalarAsync(ct))!;

        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            var version = (long)(await command.ExecuteScalarAsync(ct))!;
            if (version != last)
            {
                last = version;
                await runner.PumpAsync(ct);
            }
        }
    }
}
