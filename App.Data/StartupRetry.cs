using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace App.Data;

/// <summary>
/// A process's first writes (the migration check, a worker's registration), tried again while the
/// database is busy. A backup, a long purge or other processes starting can hold SQLite's write
/// lock past one busy wait (5 s); a process that exited then would, under a Procfile runner, stop
/// the others with it, and elsewhere come back only if something restarts it.
/// </summary>
public static class StartupRetry
{
    /// <summary>How long a busy database is waited for before the step's error is let through.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="step"/> until it gets through, is cancelled, fails otherwise, or <see cref="GiveUpAfter"/> has passed.</summary>
    public static async Task RunAsync(string what, ILogger log, Func<CancellationToken, Task> step, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var pause = FirstPause;
        while (true)
        {
            try
            {
                await step(ct);
                return;
            }
            catch (Exception e) when (IsBusy(e) && Stopwatch.GetElapsedTime(started) < GiveUpAfter && !ct.IsCancellationRequested)
            {
                log.LogWarning("{What}: the database is busy ({Error}); trying again in {Pause} ms", what, e.Message, pause.TotalMilliseconds);
                await Task.Delay(pause, ct);
                pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
        }
    }

    /// <summary>SQLite's lock held by another connection (SQLITE_BUSY, SQLITE_LOCKED), or an error Npgsql calls transient.</summary>
    public static bool IsBusy(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 5 or 6 } => true,
        NpgsqlException { IsTransient: true } => true,
        _ => e.InnerException is { } inner && IsBusy(inner),
    };
}
