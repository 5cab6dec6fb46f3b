using System.Diagnostics;
using System.Net;
using App.Data;
using App.Tests.Support;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.EndToEnd;

/// <summary>The web keeps answering while worker processes write as fast as they can, on each engine.</summary>
public abstract class WebUnderWorkerLoadTests(DatabaseEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RunningProcess.Patience;
    private WebApp _web = null!;
    private readonly List<RunningProcess> _workers = [];

    public async Task InitializeAsync() => _web = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync()
    {
        _workers.ForEach(w => w.Dispose());
        await _web.DisposeAsync();
    }

    [Fact]
    public async Task EnqueuesAndReads_AllSucceed_WhileTwoWorkersDrainThousandsOfJobs()
    {
        const int jobs = 4000;
        await _web.Queue.EnqueueManyAsync([.. Enumerable.Repeat(new App.Data.Queue.JobRequest(NoopHandler.JobType), jobs)]);
        for (var i = 0; i < 2; i++)
        {
            _workers.Add(RunningProcess.StartWorker(_web.Db.ConnectionString));
        }

        var failures = new List<string>();
        var requests = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                using var post = await _web.PostFeedAsync($"http://127.0.0.1:9/load{client}/feed/{i}.xml");
                using var read = await _web.Client.GetAsync("/api/queue");
                Interlocked.Add(ref requests, 2);
                foreach (var response in new[] { post, read })
                {
                    if (!response.IsSuccessStatusCode)
                    {
                        var body = await response.Content.ReadAsStringAsync();
                        lock (failures)
                        {
                            failures.Add($"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode} {body}");
                        }
                    }
                }
            }
        })));
        var elapsed = clock.Elapsed;

        await Eventually.TrueAsync(async () =>
        {
            await using var db = _web.Db.Open();
            return await db.Jobs.CountAsync(j => j.Type == NoopHandler.JobType && j.State == App.Data.Queue.JobState.Succeeded) == jobs;
        }, Patience, "the workers to drain the queue");
        output.WriteLine($"{requests} requests in {elapsed.TotalMilliseconds:0} ms while the workers ran");
        Assert.Empty(failures);
        await using (var db = _web.Db.Open())
        {
            // Every accepted POST stored its feed and its job, and nothing else. (The feeds point at a
            // closed local port, so their fetches fail fast and stay out of the way.)
            Assert.Equal(240, await db.Feeds.CountAsync());
            Assert.Equal(240, await db.Jobs.CountAsync(j => j.Type == App.Data.Feeds.FeedJobs.FetchFeed));
        }
        Assert.Equal(HttpStatusCode.OK, (await _web.Client.GetAsync("/healthz")).StatusCode);
    }
}

public sealed class WebUnderWorkerLoadTestsOnSqlite(ITestOutputHelper output) : WebUnderWorkerLoadTests(DatabaseEngine.Sqlite, output);

public sealed class WebUnderWorkerLoadTestsOnPostgres(ITestOutputHelper output) : WebUnderWorkerLoadTests(DatabaseEngine.Postgres, output);
