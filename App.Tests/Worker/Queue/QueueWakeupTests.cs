using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Worker.Queue;

/// <summary>
/// An idle worker process starts jobs that another process enqueued, with every poll set to an
/// hour: only the wake-up can have started them.
/// </summary>
public sealed class QueueWakeupTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AnHour = "01:00:00";
    private TempDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TempDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        _db.Dispose();
        return Task.CompletedTask;
    }

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

    /// <summary>
    /// Each job enqueued only once the one before it has finished and the worker went idle, so
    /// none can be claimed ahead or by a claim the worker makes anyway at start or on completion.
    /// </summary>
    private async Task RunJobsOneAtATimeAsync(Dictionary<string, string> settings)
    {
        using var worker = RunningProcess.StartWorker(_db.ConnectionString, settings);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                await using var db = _db.Open();
                return await db.Workers.AnyAsync();
            }, RunningProcess.Patience, "the worker to register");

            var queue = _db.Queue();
            for (var i = 0; i < 5; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                var job = await queue.EnqueueAsync(new JobRequest(NoopHandler.JobType, "{}"));
                await Eventually.TrueAsync(async () =>
                {
                    await using var db = _db.Open();
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
