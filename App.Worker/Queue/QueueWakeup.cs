using System.Diagnostics;
using App.Data;
using App.Data.Queue;
using App.Worker.Monitoring;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Worker.Queue;

/// <summary>
/// Starts claiming within a millisecond of another process's commit, without polling the jobs
/// table. A commit writes the database's WAL file, and the kernel says so (inotify, read by
/// <see cref="DatabaseFileEvents"/>); <c>PRAGMA data_version</c> on one dedicated connection then
/// confirms it, since it changes exactly when another connection committed and reading it touches
/// no table. A confirmed change wakes the runner, which claims if capacity is free.
/// </summary>
/// <remarks>
/// <para>
/// Wake-ups by notices are paced at one per <see cref="NoticeGap"/>: a commit writes the WAL page by
/// page, and each write is a notice, so a worker is woken at most 200 times a second while others
/// write, whatever their commits' rate. One wake-up ahead of the pace is let through at once: the
/// notice of a commit that carries no job (the worker's own completion, a heartbeat, another
/// process's first page before its commit is visible) is often followed within the gap by the one
/// that does, and waiting out the gap then was most of the idle worker's pickup tail (p99 5-8 ms
/// against a p50 under 1). Its runner asks again for job types it found drained no more often
/// anyway (<see cref="ClaimLoop"/>).
/// </para>
/// <para>
/// While the worker runs jobs the pace is one per <see cref="BusyNoticeGap"/> instead. Others'
/// commits then come back to back (four workers refreshing feeds: each of them woken 200 times a
/// second), and each wake-up costs two thread switches and a read: the wake-up threads took 12 % of
/// four workers' CPU, against 4 % for one (perf, docs/feeds.md). A busy worker claims for the slots
/// its jobs free as they finish anyway; what the pace delays is a job of a type it has no work of,
/// which an idle worker, woken at the quick pace, takes first.
/// </para>
/// <para>
/// Safety nets, slowest last: <c>data_version</c> is still read every
/// <see cref="QueueOptions.WakeupSafetyInterval"/> (1 s) in case a notification is lost; a file
/// system that sends none (network mounts, an exhausted inotify limit) is noticed when that read
/// finds changes no notification announced, logged once, and from then on <c>data_version</c> is
/// polled every <see cref="QueueOptions.WakeupInterval"/> (10 ms), as before notifications; and the
/// Quartz poll (<see cref="QueueOptions.PollInterval"/>) claims regardless.
/// </para>
/// <para>
/// A dedicated thread with blocking waits and synchronous reads: measured at about a fifth of the
/// CPU of a PeriodicTimer with async reads, because a wake-up then costs no thread-pool hand-offs.
/// </para>
/// </remarks>
public sealed class QueueWakeup(
    IDbContextFactory<AppDbContext> contexts,
    JobRunner runner,
    IOptions<QueueOptions> options,
    WorkerMetrics metrics,
    ILogger<QueueWakeup> log) : IHostedService, IDisposable
{
    // A checked change that no notification announced, this many times in a row: the file system
    // does not notify. One could be a race (an event consumed just before the commit became visible).
    private const int MissesBeforeFallback = 2;

    // After a notification whose commit was not visible yet: looks 5 ms apart, 20 of them at most.
    private const int MaxRechecks = 20;
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(5);

    /// <summary>The pace of wake-ups by notices while they keep coming: one per gap, and one more at once.</summary>
    public static readonly TimeSpan NoticeGap = TimeSpan.FromMilliseconds(5);

    /// <summary>The pace while the worker runs jobs.</summary>
    public static readonly TimeSpan BusyNoticeGap = TimeSpan.FromMilliseconds(25);

    private readonly CancellationTokenSource _stop = new();
    private readonly QueueOptions _options = options.Value;
    private volatile DatabaseFileEvents? _events;
    private bool _polling;
    private Thread? _thread;

    public Task StartAsync(CancellationToken ct)
    {
        if (_options.WakeupInterval > TimeSpan.Zero || _options.WakeupOnFileChange)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "queue-wakeup" };
            _thread.Start();
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _stop.Cancel();
        _events?.Interrupt();
        _thread?.Join(TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Watch();
            }
            catch (Exception e)
            {
                // The poll still claims meanwhile; watch again after a pause.
                log.LogWarning(e, "Watching the database for new jobs failed; retrying");
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Watch()
    {
        string connectionString;
        using (var db = contexts.CreateDbContext())
        {
            connectionString = db.Database.GetConnectionString()!;
        }
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        var events = _options.WakeupOnFileChange && !_polling ? WatchFiles(connection) : null;
        Interlocked.Exchange(ref _events, events);
        try
        {
            // A stop that came before the watch existed could not interrupt it.
            if (!_stop.IsCancellationRequested)
            {
                Volatile.Write(ref _polling, events is null);
                WakeOnChanges(connection, events);
            }
        }
        finally
        {
            _events = null;
            events?.Dispose();
        }
    }

    private void WakeOnChanges(SqliteConnection connection, DatabaseFileEvents? events)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        var last = (long)command.ExecuteScalar()!;
        var misses = 0;
        // Since the last change seen: a notice taken by a look that found the commit not yet
        // visible still announced the change the next look finds (their order under load).
        var announcedSinceChange = false;
        var rechecks = 0;
        // Paces wake-ups by notices (see NoticeGap): when the wake-ups so far would end had each
        // taken a whole gap. In the past once the worker was left alone for a gap.
        var gapsEnd = 0L;
        while (!_stop.IsCancellationRequested)
        {
            var polling = Volatile.Read(ref _polling);
            if (polling && _options.WakeupInterval <= TimeSpan.Zero)
            {
                return; // no notifications and no poll asked for: the Quartz poll alone.
            }
            var period = polling ? _options.WakeupInterval : rechecks > 0 ? Recheck : _options.WakeupSafetyInterval;
            var notified = false;
            if (polling)
            {
                _stop.Token.WaitHandle.WaitOne(period);
            }
            else
            {
                // A gap's worth of wake-ups ahead of the pace is let through at once; only beyond that waits.
                var gap = runner.RunningCount > 0 ? BusyNoticeGap : NoticeGap;
                var gapTicks = (long)(gap.TotalSeconds * Stopwatch.Frequency);
                // No more than one gap ahead, whatever the pace was: a worker that just went idle
                // is not held to the wake-ups it had while busy.
                gapsEnd = Math.Min(gapsEnd, Stopwatch.GetTimestamp() + 2 * gapTicks);
                var owed = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), gapsEnd) - gap;
                if (owed > TimeSpan.Zero && _stop.Token.WaitHandle.WaitOne(owed))
                {
                    return;
                }
                notified = events!.Wait(period);
                if (notified)
                {
                    gapsEnd = Math.Max(gapsEnd, Stopwatch.GetTimestamp()) + gapTicks;
                    metrics.WokenByNotice();
                }
            }
            rechecks = notified ? 0 : Math.Max(rechecks - 1, 0);
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            announcedSinceChange |= notified;
            var version = notified ? AwaitVisible(command, last) : (long)command.ExecuteScalar()!;
            if (version == last)
            {
                if (notified)
                {
                    // Announced but not visible yet (a loaded machine can take longer than
                    // AwaitVisible waits): look again shortly, a few times, rather than at the safety interval.
                    rechecks = MaxRechecks;
                }
                continue;
            }
            last = version;
            _ = runner.PumpAsync(_stop.Token);
            if (polling)
            {
                continue;
            }
            misses = announcedSinceChange ? 0 : misses + 1;
            announcedSinceChange = false;
            if (misses >= MissesBeforeFallback)
            {
                log.LogWarning(
                    "The file system holding the database sends no change notifications; polling it every {Interval} ms for new jobs instead",
                    _options.WakeupInterval.TotalMilliseconds);
                Volatile.Write(ref _polling, true);
                events!.Dispose();
            }
        }
    }

    /// <summary>
    /// The WAL's commit frame is written a few microseconds before the shared-memory index that
    /// readers consult, and the notification can arrive in between: a change announced but not yet
    /// visible is looked for again briefly before it is given up on.
    /// </summary>
    private static long AwaitVisible(SqliteCommand command, long last)
    {
        var version = (long)command.ExecuteScalar()!;
        for (var attempt = 0; version == last && attempt < 4; attempt++)
        {
            Thread.Sleep(attempt == 0 ? 0 : 1);
            version = (long)command.ExecuteScalar()!;
        }
        return version;
    }

    /// <summary>
    /// Watches the database file and its WAL (a commit writes the WAL; without WAL, the file
    /// itself). Null, logged, when the system refuses (an in-memory database; not Linux; no
    /// inotify instances left): the caller polls instead.
    /// </summary>
    private DatabaseFileEvents? WatchFiles(SqliteConnection connection)
    {
        var path = DatabasePath(connection);
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        try
        {
            return DatabaseFileEvents.Open(path);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or PlatformNotSupportedException)
        {
            log.LogWarning("Cannot watch {Path} for changes ({Reason}); polling it every {Interval} ms for new jobs instead",
                path, e.Message, _options.WakeupInterval.TotalMilliseconds);
            return null;
        }
    }

    private static string? DatabasePath(SqliteConnection connection)
    {
        using var list = connection.CreateCommand();
        list.CommandText = "SELECT file FROM pragma_database_list WHERE name = 'main'";
        return list.ExecuteScalar() as string;
    }
}
