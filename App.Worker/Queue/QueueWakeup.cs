using App.Data;
using App.Data.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Worker.Queue;

/// <summary>
/// Starts claiming within a millisecond of another process's commit, without polling the jobs
/// table. A commit writes the database's WAL file, and the kernel says so (inotify, through
/// <see cref="FileSystemWatcher"/>); <c>PRAGMA data_version</c> on one dedicated connection then
/// confirms it, since it changes exactly when another connection committed and reading it touches
/// no table. A confirmed change wakes the runner, which claims if capacity is free.
/// </summary>
/// <remarks>
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
    ILogger<QueueWakeup> log) : IHostedService, IDisposable
{
    // A checked change that no notification announced, this many times in a row: the file system
    // does not notify. One could be a race (an event consumed just before the commit became visible).
    private const int MissesBeforeFallback = 2;

    // After a notification whose commit was not visible yet: looks 5 ms apart, 20 of them at most.
    private const int MaxRechecks = 20;
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly AutoResetEvent _fileChanged = new(false);
    private readonly QueueOptions _options = options.Value;
    private int _notifiedSinceCheck;
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
        _thread?.Join(TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stop.Dispose();
        _fileChanged.Dispose();
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
        using var watcher = _options.WakeupOnFileChange && !_polling ? WatchFiles(connection) : null;
        Volatile.Write(ref _polling, watcher is null);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        var last = (long)command.ExecuteScalar()!;
        var misses = 0;
        // Since the last change seen: a notification consumed by a look that found the commit not
        // yet visible still announced the change the next look finds (their order under load).
        var announcedSinceChange = false;
        var rechecks = 0;
        WaitHandle[] wakers = [_fileChanged, _stop.Token.WaitHandle];
        while (!_stop.IsCancellationRequested)
        {
            var polling = Volatile.Read(ref _polling);
            if (polling && _options.WakeupInterval <= TimeSpan.Zero)
            {
                return; // no notifications and no poll asked for: the Quartz poll alone.
            }
            var period = polling ? _options.WakeupInterval : rechecks > 0 ? Recheck : _options.WakeupSafetyInterval;
            var notified = WaitHandle.WaitAny(wakers, period) == 0;
            rechecks = notified ? 0 : Math.Max(rechecks - 1, 0);
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            announcedSinceChange |= Interlocked.Exchange(ref _notifiedSinceCheck, 0) != 0;
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
                watcher!.EnableRaisingEvents = false;
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
    /// itself). Null, logged, when the file system refuses (an in-memory database; no inotify
    /// instances left): the caller polls instead.
    /// </summary>
    private FileSystemWatcher? WatchFiles(SqliteConnection connection)
    {
        var path = DatabasePath(connection);
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
            IncludeSubdirectories = false,
        };
        var name = Path.GetFileName(path);
        watcher.Filters.Add(name);
        watcher.Filters.Add(name + "-wal");
        watcher.Changed += (_, _) => Announce();
        watcher.Created += (_, _) => Announce();
        // An overflow of the kernel's queue: events were lost, so look now.
        watcher.Error += (_, _) => Announce();
        try
        {
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            watcher.Dispose();
            log.LogWarning("Cannot watch {Path} for changes ({Reason}); polling it every {Interval} ms for new jobs instead",
                path, e.Message, _options.WakeupInterval.TotalMilliseconds);
            return null;
        }
    }

    private void Announce()
    {
        Volatile.Write(ref _notifiedSinceCheck, 1);
        _fileChanged.Set();
    }

    private static string? DatabasePath(SqliteConnection connection)
    {
        using var list = connection.CreateCommand();
        list.CommandText = "SELECT file FROM pragma_database_list WHERE name = 'main'";
        return list.ExecuteScalar() as string;
    }
}
