using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using App.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace App.Data.Backups;

/// <summary>
/// Takes a consistent snapshot of the live database: <c>VACUUM INTO</c> a temporary file on a
/// connection of its own (a read transaction: web and workers keep writing meanwhile, and the copy
/// is the database as of the moment it began), <c>PRAGMA integrity_check</c> on the copy, then a
/// rename to its final name, so a snapshot under its final name is always complete and verified.
/// Snapshots in <see cref="Directory"/> beyond <see cref="BackupOptions.Keep"/> are deleted, oldest first.
/// </summary>
public sealed partial class DatabaseBackup(
    IDbContextFactory<AppDbContext> contexts,
    IOptions<BackupOptions> options,
    DiskFullState diskFull,
    TimeProvider time,
    ILogger<DatabaseBackup> log)
{
    private const string Extension = ".db";

    private readonly BackupOptions _options = options.Value;

    /// <summary>
    /// Why this install's database cannot be backed up by the app, or null when it can: the app's
    /// backups copy a SQLite file, and a PostgreSQL server is backed up with its own tools.
    /// </summary>
    public string? Unavailable => (_engine ??= Engine()) == DatabaseEngine.Postgres
        ? "This install's database is PostgreSQL: the app's backups copy a SQLite file. Back the server up with its own tools (pg_dump, or base backups with WAL archiving); see docs/postgres.md."
        : null;

    private DatabaseEngine? _engine;

    /// <summary>The database file being backed up.</summary>
    public string DatabasePath => _databasePath ??= DatabaseFile();

    private string? _databasePath;

    /// <summary>Where scheduled and on-demand snapshots go.</summary>
    public string Directory => System.IO.Path.GetFullPath(
        _options.Directory is { Length: > 0 } configured ? configured : "backups",
        System.IO.Path.GetDirectoryName(DatabasePath)!);

    /// <summary>
    /// Writes a snapshot to <paramref name="target"/> (a file, or a folder to put it in), or to
    /// <see cref="Directory"/> and then prunes old ones. Never throws for a failed backup (only when
    /// cancelled): the outcome, to record, says what was written or why not.
    /// </summary>
    public async Task<Backup> TakeAsync(string trigger, string? target = null, CancellationToken ct = default)
    {
        var started = time.GetUtcNow().UtcDateTime;
        var clock = Stopwatch.StartNew();
        var outcome = new Backup { Trigger = trigger, StartedAt = started };
        string? temp = null;
        try
        {
            if (Unavailable is { } reason)
            {
                throw new NotSupportedException(reason);
            }
            var path = TargetFile(target, started);
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            if (File.Exists(path))
            {
                throw new IOException($"{path} exists already.");
            }
            temp = path + ".tmp";
            File.Delete(temp);
            await Task.Run(() => Snapshot(temp, ct), ct);
            Verify(temp);
            File.Move(temp, path);
            temp = null;
            outcome.Path = path;
            outcome.SizeBytes = new FileInfo(path).Length;
            if (target is null)
            {
                Prune();
            }
            log.LogInformation("Backup of {Database} written to {Path} ({Size} bytes) in {Elapsed} ms",
                DatabasePath, path, outcome.SizeBytes, clock.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            outcome.Error = Describe(e);
            log.LogError(e, "Backup of {Database} failed", DatabasePath);
        }
        finally
        {
            if (temp is not null)
            {
                TryDelete(temp);
            }
        }
        outcome.FinishedAt = time.GetUtcNow().UtcDateTime;
        return outcome;
    }

    /// <summary>Records <paramref name="outcome"/> in a transaction of its own (the command line's way; jobs commit it with their outcome).</summary>
    public async Task RecordAsync(Backup outcome, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Backups.Add(outcome);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The snapshots in <see cref="Directory"/>, newest first.</summary>
    public IReadOnlyList<FileInfo> Snapshots()
    {
        if (Unavailable is not null)
        {
            return [];
        }
        var folder = new DirectoryInfo(Directory);
        if (!folder.Exists)
        {
            return [];
        }
        var stem = System.IO.Path.GetFileNameWithoutExtension(DatabasePath);
        return [.. folder.EnumerateFiles(stem + "-*" + Extension)
            .Where(f => IsSnapshotName(f.Name, stem))
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)];
    }

    private string TargetFile(string? target, DateTime started)
    {
        var name = $"{System.IO.Path.GetFileNameWithoutExtension(DatabasePath)}-{started.ToString("yyyyMMdd-HHmmssfff", CultureInfo.InvariantCulture)}{Extension}";
        if (target is null)
        {
            return System.IO.Path.Combine(Directory, name);
        }
        var full = System.IO.Path.GetFullPath(target);
        return System.IO.Directory.Exists(full) || target.EndsWith(System.IO.Path.DirectorySeparatorChar)
            ? System.IO.Path.Combine(full, name)
            : full;
    }

    private void Snapshot(string temp, CancellationToken ct)
    {
        // A connection of its own, not pooled: VACUUM INTO reads inside one transaction, so the copy
        // is consistent, and in WAL mode that read blocks no writer.
        string connectionString;
        using (var db = contexts.CreateDbContext())
        {
            connectionString = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ToString();
        }
        using var connection = SqliteConnectionSetup.OpenRaw(connectionString);
        // Microsoft.Data.Sqlite cannot cancel a running statement; SQLite can interrupt it.
        using var interrupt = ct.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));
        using var vacuum = connection.CreateCommand();
        vacuum.CommandText = "VACUUM INTO $path";
        vacuum.Parameters.AddWithValue("$path", temp);
        // A large database takes as long as it takes; the job's timeout bounds it through the interrupt.
        vacuum.CommandTimeout = 0;
        vacuum.ExecuteNonQuery();
        ct.ThrowIfCancellationRequested();
    }

    private static void Verify(string file)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        var problems = new List<string>();
        using (var reader = check.ExecuteReader())
        {
            while (reader.Read())
            {
                problems.Add(reader.GetString(0));
            }
        }
        if (problems is not ["ok"])
        {
            throw new InvalidDataException($"The copy failed its integrity check: {string.Join("; ", problems.Take(5))}");
        }
    }

    private void Prune()
    {
        foreach (var old in Snapshots().Skip(_options.Keep))
        {
            TryDelete(old.FullName);
            log.LogInformation("Deleted the old backup {Path}", old.FullName);
        }
    }

    private string Describe(Exception e)
    {
        if (diskFull.Observe(e))
        {
            return "The disk is full: the snapshot could not be written.";
        }
        return e switch
        {
            SqliteException s => $"SQLite error {s.SqliteErrorCode}: {s.Message}",
            _ => e.Message,
        };
    }

    private static bool IsSnapshotName(string name, string stem) =>
        name.Length == stem.Length + SnapshotSuffixLength && SnapshotSuffix().IsMatch(name[stem.Length..]);

    // "-yyyyMMdd-HHmmssfff.db"
    private const int SnapshotSuffixLength = 22;

    [GeneratedRegex(@"^-\d{8}-\d{9}\.db$")]
    private static partial Regex SnapshotSuffix();

    private DatabaseEngine Engine()
    {
        using var db = contexts.CreateDbContext();
        return db.Engine;
    }

    private string DatabaseFile()
    {
        using var db = contexts.CreateDbContext();
        var source = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        return System.IO.Path.GetFullPath(source);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next run's prune or by hand; not worth failing a backup that was written.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
