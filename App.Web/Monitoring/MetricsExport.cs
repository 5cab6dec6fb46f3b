using App.Data;
using App.Data.Monitoring;
using App.Data.Queue;
using App.Data.Retention;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Prometheus;

namespace App.Web.Monitoring;

/// <summary>
/// What <c>/metrics</c> exports, in prometheus-net's registry (the library writes the text format).
/// Read at each scrape, without the write lock and without reading finished jobs: the workers'
/// counters and histograms from the snapshots they store with each heartbeat (labelled by worker,
/// so each series only grows while its process lives), pending and running jobs by type from the
/// live jobs' partial indexes, and the database's file sizes.
/// </summary>
public sealed class MetricsExport
{
    private const string Prefix = "feedreader_";

    private readonly IDbContextFactory<AppDbContext> _contexts;
    private readonly IOptionsMonitor<HealthOptions> _health;
    private readonly TimeProvider _time;
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly WorkerSnapshotReplay _replay;
    private readonly HashSet<string> _typesSeen = [];

    private readonly Gauge _jobs;
    private readonly Gauge _oldestDue;
    private readonly Gauge _workers;
    private readonly Gauge _heartbeat;
    private readonly Gauge _databaseBytes;
    private readonly Gauge _walBytes;

    public MetricsExport(IDbContextFactory<AppDbContext> contexts, IOptionsMonitor<HealthOptions> health, TimeProvider time)
    {
        _contexts = contexts;
        _health = health;
        _time = time;
        var factory = Metrics.WithCustomRegistry(_registry);
        _jobs = factory.CreateGauge(Prefix + "jobs", "Live jobs by state (pending, running) and type; finished ones are counted by " + Prefix + "jobs_finished_total.", ["state", "type"]);
        _oldestDue = factory.CreateGauge(Prefix + "oldest_due_job_wait_seconds", "How long the longest-waiting due job has waited (0: none is due).");
        _workers = factory.CreateGauge(Prefix + "workers", "Worker processes that reported in within Health:WorkerStaleAfter.");
        _heartbeat = factory.CreateGauge(Prefix + "worker_last_heartbeat_timestamp_seconds", "When each registered worker last reported in (Unix time).", ["worker"]);
        _databaseBytes = factory.CreateGauge(Prefix + "database_size_bytes", "Size of the database: the SQLite file, or the PostgreSQL database as the server counts it.");
        _walBytes = factory.CreateGauge(Prefix + "database_wal_size_bytes", "Size of the SQLite write-ahead log (-wal file).");
        _replay = new WorkerSnapshotReplay(factory, Prefix);
    }

    /// <summary>Reads the current values and writes them in the Prometheus text format (version 0.0.4).</summary>
    public async Task WriteAsync(Stream output, CancellationToken ct)
    {
        // One scrape at a time: replaying worker snapshots keeps per-worker state.
        await _gate.WaitAsync(ct);
        try
        {
            await UpdateAsync(ct);
            await _registry.CollectAndExportAsTextAsync(output, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task UpdateAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        await using var db = await _contexts.CreateDbContextAsync(ct);
        // Few rows: one per worker process, each with a snapshot of a few kilobytes.
        var workers = await db.Workers.AsNoTracking().ToListAsync(ct);
        var (pending, running) = await QueueBacklog.LiveByTypeAsync(db, ct);
        var oldestDue = await QueueBacklog.OldestDueAsync(db, now, ct);
        var file = (db.Database.GetDbConnection() as SqliteConnection)?.DataSource;
        // PostgreSQL has no file to look at: the server's count of the database's size (its WAL is the server's, shared by all databases).
        var serverBytes = db.Engine == DatabaseEngine.Postgres ? (await DatabaseSize.ReadAsync(db, ct)).FileBytes : (long?)null;

        var staleBefore = now - _health.CurrentValue.WorkerStaleAfter;
        _workers.Set(workers.Count(w => w.LastSeenAt >= staleBefore));
        foreach (var worker in _heartbeat.GetAllLabelValues().Where(l => workers.All(w => w.Id != l[0])).ToList())
        {
            _heartbeat.RemoveLabelled(worker);
        }
        foreach (var worker in workers)
        {
            _heartbeat.WithLabels(worker.Id).Set(new DateTimeOffset(worker.LastSeenAt).ToUnixTimeMilliseconds() / 1000.0);
        }
        var snapshots = workers.ToDictionary(w => w.Id, w => WorkerMetricsSnapshot.Parse(w.Metrics));
        _replay.Apply(snapshots);

        // A type keeps its series at 0 once its jobs are gone, rather than vanishing.
        _typesSeen.UnionWith(pending.Keys);
        _typesSeen.UnionWith(running.Keys);
        _typesSeen.UnionWith(snapshots.Values.OfType<WorkerMetricsSnapshot>().SelectMany(s => s.Jobs).Select(j => j.Type));
        foreach (var type in _typesSeen)
        {
            _jobs.WithLabels(JobState.Pending.ToName(), type).Set(pending.GetValueOrDefault(type));
            _jobs.WithLabels(JobState.Running.ToName(), type).Set(running.GetValueOrDefault(type));
        }
        _oldestDue.Set(oldestDue is { } due ? (now - due).TotalSeconds : 0);
        _databaseBytes.Set(serverBytes ?? FileSize(file));
        _walBytes.Set(FileSize(file is null ? null : file + "-wal"));
    }

    private static long FileSize(string? path) =>
        !string.IsNullOrEmpty(path) && File.Exists(path) ? new FileInfo(path).Length : 0;
}
