using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace App.Data.Sqlite;

/// <summary>
/// Whether this process's writes met a full disk (SQLITE_FULL, 13; on PostgreSQL SQLSTATE 53100)
/// lately, and when last: what a readiness check and the pages' banner read. Every place that catches a failed write hands the
/// exception to <see cref="Observe"/>, which also logs the full disk once a minute at most (with
/// how many writes were refused meanwhile), so a full disk is one line a minute, not one per
/// request or per job.
/// </summary>
public sealed class DiskFullState(TimeProvider time, ILogger<DiskFullState> log)
{
    /// <summary>SQLite's result code for "database or disk is full" (also a page limit reached).</summary>
    public const int SqliteFull = 13;

    /// <summary>PostgreSQL's SQLSTATE for a full disk on the server (disk_full).</summary>
    public const string PostgresDiskFull = "53100";

    /// <summary>How long after the last refused write the disk counts as full, and the log's period.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly object _lock = new();
    private DateTimeOffset? _lastFullAt;
    private DateTimeOffset _lastLoggedAt = DateTimeOffset.MinValue;
    private int _refusedSinceLog;

    /// <summary>When a write last failed for a full disk in this process; null if never since it started.</summary>
    public DateTimeOffset? LastFullAt
    {
        get
        {
            lock (_lock)
            {
                return _lastFullAt;
            }
        }
    }

    /// <summary>Whether a write failed for a full disk within the last <see cref="Window"/>.</summary>
    public bool IsFull => LastFullAt is { } at && time.GetUtcNow() - at < Window;

    /// <summary>True when <paramref name="error"/> (or an exception inside it) is SQLITE_FULL; the full disk is then recorded, and logged if it was not within the last minute.</summary>
    public bool Observe(Exception error)
    {
        if (!IsDiskFull(error))
        {
            return false;
        }
        var now = time.GetUtcNow();
        int refused;
        lock (_lock)
        {
            _lastFullAt = now;
            _refusedSinceLog++;
            if (now - _lastLoggedAt < Window)
            {
                return true;
            }
            _lastLoggedAt = now;
            refused = _refusedSinceLog;
            _refusedSinceLog = 0;
        }
        log.LogError(
            "The database's disk is full: {Refused} write(s) refused since the last message (at most one a minute). Nothing of those was stored; free space on the disk that holds the database. Cause: {Cause}",
            refused, error.GetBaseException().Message);
        return true;
    }

    /// <summary>Whether <paramref name="error"/> is, or wraps, SQLITE_FULL (or PostgreSQL's disk_full).</summary>
    public static bool IsDiskFull(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteFull } or PostgresException { SqlState: PostgresDiskFull })
            {
                return true;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDiskFull))
            {
                return true;
            }
        }
        return false;
    }
}
