using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Worker.Feeds.Fetch;

/// <summary>
/// Feed fetches in a real worker process: they run in slots of their own (<c>Feeds:FetchConcurrency</c>),
/// at most <c>Feeds:MaxConnectionsPerHost</c> at once per site, and a site at that cap holds up no
/// other site. The sites are two loopback addresses of one local origin.
/// </summary>
public sealed class FetchSlotsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RunningProcess.Patience;
    private const string OtherSite = "127.0.0.2";
    private TempDatabase _db = null!;
    private FeedServer _origin = null!;
    private RunningProcess? _worker;

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync();
        _origin = await FeedServer.StartAsync(OtherSite);
    }

    public async Task DisposeAsync()
    {
        _worker?.Dispose();
        await _origin.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task ASiteAtItsConnectionCap_GetsNoMoreFetchesAtOnce_AndHoldsUpNoOtherSite()
    {
        // The busy site answers only when the test lets it, and counts the fetches it holds at once.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new ConcurrencyCount();
        var busy = new List<long>();
        for (var i = 1; i <= 8; i++)
        {
            _origin.Map($"/busy/{i}.xml", async (context, _) =>
            {
                using (held.Enter())
                {
                    await answer.Task;
                }
                context.Response.ContentType = "application/rss+xml; charset=utf-8";
                await context.Response.WriteAsync(FeedSamples.Rss(2));
            });
            busy.Add(await AddFeedWithFetchAsync(_origin.Url($"/busy/{i}.xml")));
        }
        // The other site's feeds come after all of them in the queue.
        var other = new List<long>();
        for (var i = 1; i <= 2; i++)
        {
            _origin.Serve($"/other/{i}.xml", FeedSamples.Rss(2));
            other.Add(await AddFeedWithFetchAsync(_origin.UrlAt(OtherSite, $"/other/{i}.xml")));
        }

        _worker = RunningProcess.StartWorker(_db.ConnectionString, new Dictionary<string, string>
        {
            ["Feeds:FetchConcurrency"] = "16",
            ["Feeds:MaxConnectionsPerHost"] = "2",
            // Nothing may time out while the busy site holds its answers.
            ["Feeds:FetchTimeout"] = "00:10:00",
        });
        try
        {
            await WaitForAsync(other, "the other site's feeds to be fetched while the busy site holds its answers");
            await Eventually.TrueAsync(() => Task.FromResult(held.Now == 2), Patience, "the busy site to hold two fetches");
            Assert.Equal(2, held.Peak);

            answer.SetResult();
            await WaitForAsync(busy, "the busy site's feeds to be fetched");
            Assert.Equal(2, held.Peak);
            Assert.False(_worker.HasExited, _worker.Output);
        }
        catch (Exception)
        {
            output.WriteLine(_worker.Output);
            throw;
        }
    }

    /// <summary>Adds a feed with a pending fetch job, as adding it does; returns the job's id.</summary>
    private async Task<long> AddFeedWithFetchAsync(Uri url)
    {
        await using var db = _db.Open();
        await using var tx = await db.Database.BeginTransactionAsync();
        var feed = new Feed { Url = url.ToString(), CreatedAt = DateTime.UtcNow };
        db.Feeds.Add(feed);
        await db.SaveChangesAsync();
        var jobId = await _db.Queue().EnqueueAsync(db, FeedJobs.Fetch(feed.Id, JobPriority.User));
        await tx.CommitAsync();
        return jobId;
    }

    private Task WaitForAsync(IReadOnlyList<long> jobIds, string what) => Eventually.TrueAsync(async () =>
    {
        await using var db = _db.Open();
        return await db.Jobs.CountAsync(j => jobIds.Contains(j.Id) && j.State == JobState.Succeeded) == jobIds.Count;
    }, Patience, what);

    /// <summary>How many requests are inside at once, now and at most.</summary>
    private sealed class ConcurrencyCount
    {
        private readonly object _lock = new();
        private int _now;
        private int _peak;

        public int Now
        {
            get
            {
                lock (_lock)
                {
                    return _now;
                }
            }
        }

        public int Peak
        {
            get
            {
                lock (_lock)
                {
                    return _peak;
                }
            }
        }

        public IDisposable Enter()
        {
            lock (_lock)
            {
                _now++;
                _peak = Math.Max(_peak, _now);
            }
            return new Exit(this);
        }

        private sealed class Exit(ConcurrencyCount count) : IDisposable
        {
            public void Dispose()
            {
                lock (count._lock)
                {
                    count._now--;
                }
            }
        }
    }
}
