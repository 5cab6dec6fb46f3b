using App.Data.Queue;
using Microsoft.Extensions.Options;
using Npgsql;

namespace App.Worker.Queue;

/// <summary>
/// On PostgreSQL: starts claiming as soon as another process enqueues, without polling the jobs
/// table. One connection of its own (<see cref="ListenerConnection"/>, never pooled) LISTENs on
/// <see cref="JobNotifications.Channel"/>; a notification wakes the runner, which claims if
/// capacity is free. A lost connection is opened again after a pause, and the runner makes a
/// claim pass then, since notifications sent meanwhile are gone. Safety nets: the runner is also
/// woken every <see cref="QueueOptions.WakeupSafetyInterval"/> (1 s) without a notification, and
/// the Quartz poll (<see cref="QueueOptions.PollInterval"/>) claims regardless.
/// </summary>
/// <remarks>A dedicated thread blocking in Npgsql's Wait, as the SQLite wake-up does: no thread-pool hand-off per notification.</remarks>
public sealed class PostgresWakeup(
    ListenerConnection listener,
    JobRunner runner,
    IOptions<QueueOptions> options,
    ILogger<PostgresWakeup> log) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly QueueOptions _options = options.Value;
    private Thread? _thread;

    public Task StartAsync(CancellationToken ct)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "queue-listener" };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    public void Dispose() => _stop.Dispose();

    private void Run()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Listen(ref failures);
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                // Logged once per outage, not once per attempt to reconnect.
                if (failures++ == 0)
                {
                    log.LogWarning(e, "Listening for new jobs failed; the poll claims meanwhile, reconnecting");
                }
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(failures, 5)));
            }
        }
    }

    private void Listen(ref int failures)
    {
        using var connection = new NpgsqlConnection(listener.ConnectionString);
        connection.Open();
        using (var listen = new NpgsqlCommand($"LISTEN {JobNotifications.Channel}", connection))
        {
            listen.ExecuteNonQuery();
        }
        if (failures > 0)
        {
            log.LogInformation("Listening for new jobs again");
            failures = 0;
        }
        // Whatever was enqueued before the LISTEN (or while disconnected) was announced to no one.
        _ = runner.PumpAsync(_stop.Token);
        // Wait returns at the timeout; a short one lets a stopping worker leave promptly.
        var slice = _options.WakeupSafetyInterval < TimeSpan.FromSeconds(1) ? _options.WakeupSafetyInterval : TimeSpan.FromSeconds(1);
        while (!_stop.IsCancellationRequested)
        {
            connection.Wait(slice);
            _ = runner.PumpAsync(_stop.Token);
        }
    }
}
