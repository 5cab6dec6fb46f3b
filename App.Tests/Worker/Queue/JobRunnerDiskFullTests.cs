using App.Data;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace App.Tests.Worker.Queue;

/// <summary>
/// The job runner in-process on a database capped at its size (<c>Sqlite:MaxPageCount</c>): the
/// jobs' outcomes, each with a few thousand rows to store, meet SQLITE_FULL.
/// </summary>
public sealed class JobRunnerDiskFullTests : IAsyncLifetime
{
    private const string JobType = "store-much";
    private const int RowsPerJob = 3000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TempDatabase _db = null!;
    private ServiceProvider _services = null!;
    private readonly LogRecorder _log = new();

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync();
        // Room that the test frees later, as someone deleting files would: a table of 1.2 MB.
        Execute("CREATE TABLE Ballast (Data BLOB)", "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO Ballast SELECT zeroblob(4000) FROM n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = _db.ConnectionString,
            ["Sqlite:MaxPageCount"] = $"{PageCount() + 4}",
        }).Build();
        _services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(_log))
            .AddAppDatabase(configuration).AddQueueWorker()
            .AddSingleton<IJobHandler>(new StoreMuchHandler())
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await Runner.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        _db.Dispose();
    }

    private JobRunner Runner => _services.GetRequiredService<JobRunner>();

    private JobQueue Queue => _services.GetRequiredService<JobQueue>();

    [Fact]
    public async Task JobsWhoseOutcomeMeetsAFullDisk_GoBackWithTheirAttemptsRefunded_LoggedOnce_AndSucceedOnceThereIsRoom()
    {
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Queue.EnqueueAsync(new JobRequest(JobType))).Id);
        }
        var before = DateTime.UtcNow;

        await Runner.PumpAsync(CancellationToken.None);

        foreach (var id in ids)
        {
            var job = await WaitForAsync(id, j => j.State == JobState.Pending && j.RunAt > before);
            Assert.Equal(0, job.Attempts);
            Assert.Null(job.LastError);
            Assert.True(job.RunAt >= before + JobRunner.DiskFullRetryDelay - TimeSpan.FromSeconds(1), $"due at {job.RunAt:O}, not a minute later");
        }
        await using (var db = _db.Open())
        {
            Assert.Equal(0, await db.NoopRuns.CountAsync());
        }
        // One line for three refused outcomes, and no stack trace per job.
        var diskFull = _log.Entries.Where(l => l.Category == typeof(DiskFullState).FullName).ToList();
        Assert.Single(diskFull);
        Assert.Equal(LogLevel.Error, diskFull[0].Level);
        Assert.Contains("disk is full", diskFull[0].Message);
        Assert.DoesNotContain(_log.Entries, l => l.Level >= LogLevel.Warning && l.Category != typeof(DiskFullState).FullName);
        Assert.True(_services.GetRequiredService<DiskFullState>().IsFull);

        // Room again: the jobs run again when due, and their outcomes are stored.
        Execute("DROP TABLE Ballast", $"UPDATE Jobs SET RunAt = '{DateTime.UtcNow.AddSeconds(-1):yyyy-MM-dd HH:mm:ss}'");
        await Runner.PumpAsync(CancellationToken.None);
        foreach (var id in ids)
        {
            var job = await WaitForAsync(id, j => j.State == JobState.Succeeded);
            Assert.Equal(1, job.Attempts);
        }
        await using (var db = _db.Open())
        {
            Assert.Equal(3 * RowsPerJob, await db.NoopRuns.CountAsync());
        }
    }

    private async Task<Job> WaitForAsync(long id, Func<Job, bool> done) =>
        await Eventually.GetAsync(async () =>
        {
            await using var db = _db.Open();
            return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
        }, done, Patience, $"job {id}");

    private long PageCount()
    {
        using var connection = new SqliteConnection(_db.ConnectionString + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count";
        return (long)command.ExecuteScalar()!;
    }

    private void Execute(params string[] statements)
    {
        using var connection = new SqliteConnection(_db.ConnectionString + ";Pooling=False");
        connection.Open();
        foreach (var sql in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Completes its job with <see cref="RowsPerJob"/> rows written alongside (about 150 KB).</summary>
    private sealed class StoreMuchHandler : IJobHandler
    {
        public string Type => JobType;

        public TimeSpan Timeout => TimeSpan.FromSeconds(30);

        public async Task RunAsync(JobRun run, CancellationToken ct) =>
            await run.CompleteAsync((db, _) =>
            {
                db.NoopRuns.AddRange(Enumerable.Range(0, RowsPerJob).Select(_ => new NoopRun
                {
                    JobId = run.Job.Lease.JobId,
                    Worker = new string('w', 40),
                    RecordedAt = DateTime.UtcNow,
                }));
                return Task.CompletedTask;
            }, ct);
    }
}
