using System.Diagnostics;
using App.Data.Monitoring;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Worker.Queue;

/// <summary>
/// An idle worker process starts jobs that another process enqueued, with every poll set to an
/// hour: only the wake-up can have started them.
/// </summary>
public sealed class QueueWakeupTests(ITestOutputHelper output) : DatabaseTest
{
    private const string AnHour = "01:00:00";
    [Fact]
    public async Task AnIdleWorker_IsWokenByTheWalFileChanging_WithEveryPollAtAnHour()
    {
        await RunJobsOneAtATimeAsync(new Dictionary<string, string>
        {
            ["Queue:PollInterval"] = AnHour,
            ["Queue:WakeupInterval"] = AnHour,
            ["Queue:WakeupSafetyInterval"] = AnHour,
        });
    }

    [Fact]
    public async Task WithNotificationsOff_TheDataVersionPollStillWakesIt()
    {
        await RunJobsOneAtATimeAsync(new Dictionary<string, string>
        {
            ["Queue:PollInterval"] = AnHour,
            ["Queue:WakeupOnFileChange"] = "false",
            ["Queue:WakeupInterval"] = "00:00:00.010",
        });
    }

    [Fact]
    public Task ABurstOfCommits_WakesTheWorker_AtMostOncePerNoticeGap() => BurstWakesAtMostOncePerAsync(QueueWakeup.NoticeGap, busy: false);

    [Fact]
    public Task ABurstOfCommits_WakesABusyWorker_AtMostOncePerBusyNoticeGap() => BurstWakesAtMostOncePerAsync(QueueWakeup.BusyNoticeGap, busy: true);

    /// <summary>
    /// Commits back to back, thousands of notices from the kernel, wake the worker at least once and
    /// no more often than once per <paramref name="gap"/> over the window the count covers (the
    /// burst, and the worker's own heartbeats before and after it). A <paramref name="busy"/> worker
    /// runs a long job all along: at the idle pace the same burst would wake it five times as often.
    /// </summary>
    private async Task BurstWakesAtMostOncePerAsync(TimeSpan gap, bool busy)
    {
        using var worker = RunningProcess.StartWorker(Db.ConnectionString, new Dictionary<string, string>
        {
            ["Queue:HeartbeatInterval"] = "00:00:00.200",
        });
        try
        {
            await Eventually.TrueAsync(async () => await WakeupsAsync() is not null, RunningProcess.Patience, "the worker's first metrics");
            if (busy)
            {
                var job = await Db.Queue().EnqueueAsync(new JobRequest(NoopHandler.JobType, """{"delayMs": 60000}"""));
                await Eventually.TrueAsync(async () =>
                {
                    await using var db = Db.Open();
                    return await db.Jobs.AnyAsync(j => j.Id == job.Id && j.State == JobState.Running);
                }, RunningProcess.Patience, "the long job to run");
            }
            var before = (await WakeupsAsync())!.Value;
            // The count is the one of the worker's last heartbeat: the window it can cover runs from a
            // heartbeat before the first read to the last read. Wake-ups outside the burst come from the
            // worker's own heartbeats, at the same pace.
            var window = Stopwatch.StartNew();

            var burst = await CommitBackToBackAsync(TimeSpan.FromSeconds(1.5));

            long woken = 0;
            await Eventually.TrueAsync(async () => (woken = (await WakeupsAsync())!.Value - before) > 0, RunningProcess.Patience, "a wake-up");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            woken = (await WakeupsAsync())!.Value - before;
            var covered = window.Elapsed + TimeSpan.FromMilliseconds(200);
            var allowed = (int)(covered / gap) + 1 + 20;
            output.WriteLine($"commits for {burst.TotalMilliseconds:0} ms (a window of {covered.TotalMilliseconds:0} ms) woke the {(busy ? "busy" : "idle")} worker {woken} times (allowed {allowed})");
            Assert.InRange(woken, 1, allowed);
            Assert.False(worker.HasExited, worker.Output);
        }
        catch (Exception)
        {
            output.WriteLine(worker.Output);
            throw;
        }
    }

    /// <summary>Small commits back to back, each writing the WAL, for <paramref name="atLeast"/>; returns how long they took.</summary>
    private async Task<TimeSpan> CommitBackToBackAsync(TimeSpan atLeast)
    {
        await using var connection = new SqliteConnection(Db.ConnectionString);
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            // synchronous=NORMAL, as the app's connections: commits without an fsync each, so the burst is dense.
            create.CommandText = "PRAGMA synchronous=NORMAL; CREATE TABLE IF NOT EXISTS Burst (Value INTEGER)";
            await create.ExecuteNonQueryAsync();
        }
        var clock = Stopwatch.StartNew();
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO Burst VALUES (1)";
        while (clock.Elapsed < atLeast)
        {
            await insert.ExecuteNonQueryAsync();
        }
        return clock.Elapsed;
    }

    private async Task<long?> WakeupsAsync()
    {
        await using var db = Db.Open();
        var json = await db.Workers.Select(w => w.Metrics).FirstOrDefaultAsync();
        return WorkerMetricsSnapshot.Parse(json)?.WakeupsByNotice;
    }

    /// <summary>
    /// Each job enqueued only once the one before it has finished and the worker went idle, so
    /// none can be claimed ahead or by a claim the worker makes anyway at start or on completion.
    /// </summary>
    private async Task RunJobsOneAtATimeAsync(Dictionary<string, string> settings)
    {
        using var worker = RunningProcess.StartWorker(Db.ConnectionString, settings);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                await using var db = Db.Open();
                return await db.Workers.AnyAsync();
            }, RunningProcess.Patience, "the worker to register");

            var queue = Db.Queue();
            for (var i = 0; i < 5; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                var job = await queue.EnqueueAsync(new JobRequest(NoopHandler.JobType, "{}"));
                await Eventually.TrueAsync(async () =>
                {
                    await using var db = Db.Open();
                    return await db.Jobs.AnyAsync(j => j.Id == job.Id && j.State == JobState.Succeeded);
                }, RunningProcess.Patience, $"job {i + 1} of 5 to be run");
            }
            Assert.False(worker.HasExited, worker.Output);
        }
        catch (Exception)
        {
            output.WriteLine(worker.Output);
            throw;
        }
    }
}
