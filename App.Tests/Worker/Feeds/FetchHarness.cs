using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Feeds;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Feeds;

/// <summary>The fetch-feed handler in-process on a real database file and a real origin; one per test.</summary>
public sealed class FetchHarness : IAsyncDisposable
{
    private readonly bool _ownsDb;

    private FetchHarness(TempDatabase db, FeedServer origin, ServiceProvider services, bool ownsDb)
    {
        _ownsDb = ownsDb;
        Db = db;
        Origin = origin;
        Services = services;
    }

    public TempDatabase Db { get; }

    public FeedServer Origin { get; }

    public ServiceProvider Services { get; }

    /// <param name="time">The clock of the queue, the runner and the handlers (the system's unless given).</param>
    /// <param name="settings">More configuration, such as "Feeds:MaxItemsPerFetch".</param>
    /// <param name="on">A database another fixture owns (a web app's), to work on as a worker process would; a new one when null.</param>
    public static async Task<FetchHarness> StartAsync(
        TimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null, TempDatabase? on = null)
    {
        var db = on ?? await TempDatabase.CreateAsync();
        var origin = await FeedServer.StartAsync();
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = db.ConnectionString,
            ["Feeds:AllowPrivateAddresses"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection().AddLogging()
            .AddAppDatabase(configuration).AddQueueWorker().AddFeedHandlers(configuration);
        if (time is not null)
        {
            collection.AddSingleton(time);
        }
        return new FetchHarness(db, origin, collection.BuildServiceProvider(), ownsDb: on is null);
    }

    private JobRunner? _runner;

    /// <summary>
    /// Lets the worker's <see cref="JobRunner"/> run the due jobs, as a worker process does: the
    /// runner records what the handler does not (an exception, a timeout, a failed write).
    /// </summary>
    public async Task RunDueJobsAsync()
    {
        if (_runner is null)
        {
            _runner = Services.GetRequiredService<JobRunner>();
            await _runner.StartAsync(CancellationToken.None);
        }
        await _runner.PumpAsync(CancellationToken.None);
    }

    /// <summary>Waits until the job satisfies <paramref name="done"/>.</summary>
    public Task<Job> WaitForJobAsync(long id, Func<Job, bool> done, string what) =>
        Eventually.GetAsync(() => JobAsync(id), done, TimeSpan.FromSeconds(30), what);

    /// <summary>The handler of <paramref name="type"/>.</summary>
    public IJobHandler Handler(string type) => Services.GetServices<IJobHandler>().Single(h => h.Type == type);

    /// <summary>A feed for <paramref name="path"/> on the origin, with a pending fetch job.</summary>
    public async Task<(long FeedId, long JobId)> AddFeedAsync(string path) => await AddFeedAtAsync(Origin.Url(path).ToString());

    public async Task<(long FeedId, long JobId)> AddFeedAtAsync(string url)
    {
        await using var db = Db.Open();
        var feed = new Feed { Url = url, CreatedAt = DateTime.UtcNow };
        db.Feeds.Add(feed);
        await db.SaveChangesAsync();
        var job = await Services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feed.Id, JobPriority.User));
        return (feed.Id, job.Id);
    }

    /// <summary>A fresh fetch job for an existing feed.</summary>
    public async Task<long> RefreshAgainAsync(long feedId) =>
        (await Services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feedId, JobPriority.User))).Id;

    /// <summary>Claims the next due job, which must be of <paramref name="type"/>, and runs its handler.</summary>
    public async Task RunOneJobAsync(string type = FeedJobs.FetchFeed)
    {
        var queue = Services.GetRequiredService<JobQueue>();
        var claimed = Assert.Single(await queue.ClaimAsync("test-worker", 1));
        Assert.Equal(type, claimed.Type);
        var handler = Services.GetServices<IJobHandler>().Single(h => h.Type == type);
        await handler.RunAsync(new JobRun(claimed, queue), CancellationToken.None);
    }

    /// <summary>Claims the next due job of <paramref name="type"/> only (others stay pending) and runs its handler; false when none is due.</summary>
    public async Task<bool> RunNextOfTypeAsync(string type)
    {
        var queue = Services.GetRequiredService<JobQueue>();
        var claimed = await queue.ClaimAsync("test-worker", new Dictionary<string, int> { [type] = 1 });
        if (claimed.Count == 0)
        {
            return false;
        }
        await Handler(type).RunAsync(new JobRun(Assert.Single(claimed), queue), CancellationToken.None);
        return true;
    }

    public async Task<Feed> FeedAsync(long id)
    {
        await using var db = Db.Open();
        return await db.Feeds.AsNoTracking().SingleAsync(f => f.Id == id);
    }

    public async Task<Job> JobAsync(long id)
    {
        await using var db = Db.Open();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    public async Task<List<FeedItem>> ItemsAsync(long feedId)
    {
        await using var db = Db.Open();
        return await db.FeedItems.AsNoTracking().Where(i => i.FeedId == feedId).OrderByDescending(i => i.Id).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.StopAsync(CancellationToken.None);
        }
        await Services.DisposeAsync();
        await Origin.DisposeAsync();
        if (_ownsDb)
        {
            Db.Dispose();
        }
    }
}
