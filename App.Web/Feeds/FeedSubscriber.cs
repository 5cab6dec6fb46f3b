using System.Threading.Channels;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Data.Writes;

namespace App.Web.Feeds;

/// <summary>
/// Group commit for subscribing through the API: requests that arrive while a write is under way
/// are written together in the next transaction, so that 32 clients at once cost one write, not 32
/// in a row. Each request still gets its own answer: its new feed and job, or the existing feed and
/// its live job. Within a batch the look-ups and inserts run in arrival order inside one BEGIN
/// IMMEDIATE transaction, so the second of two requests for one URL finds the feed the first
/// created: two users subscribing to one address share one feed and one fetch. Plain prepared
/// statements on the process's <see cref="WriteLane"/>: EF Core's change tracking and two
/// SaveChanges cost more than the writes themselves.
/// </summary>
public sealed class FeedSubscriber : IAsyncDisposable
{
    /// <summary>
    /// Outcome of <see cref="SubscribeAsync"/>: <paramref name="Created"/> is true for a new feed
    /// (with its first fetch as <paramref name="JobId"/>), <paramref name="Subscribed"/> when the
    /// user did not subscribe before (a feed another user has: no new fetch, its live one if any).
    /// </summary>
    public sealed record Subscription(long FeedId, long? JobId, bool Created, bool Subscribed)
    {
        /// <summary>Something new for the user to follow: a fetch under way for a feed they just got.</summary>
        public bool HasNewFetch => Subscribed && JobId is not null;
    }

    private const int MaxBatch = 256;

    private readonly Channel<Request> _requests =
        Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });

    private readonly WriteLane _lane;
    private readonly JobQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger<FeedSubscriber> _log;
    private readonly Task _loop;

    public FeedSubscriber(WriteLane lane, JobQueue queue, TimeProvider time, ILogger<FeedSubscriber> log)
    {
        _lane = lane;
        _queue = queue;
        _time = time;
        _log = log;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Subscribes <paramref name="userId"/> to <paramref name="url"/> (already normalised by
    /// <see cref="FeedUrl"/>): a new feed together with its first fetch job, or the existing feed
    /// and its live fetch job.
    /// </summary>
    public Task<Subscription> SubscribeAsync(long userId, string url, CancellationToken ct)
    {
        var done = new TaskCompletionSource<Subscription>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_requests.Writer.TryWrite(new Request(userId, url, done)))
        {
            throw new ObjectDisposedException(nameof(FeedSubscriber));
        }
        // A request that gives up still has its subscription written: it may already be in a batch.
        return done.Task.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Request>(MaxBatch);
        while (await _requests.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }
            try
            {
                var written = await _lane.InWriteTransactionAsync(c => Write(c, batch));
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(written[i]);
                }
            }
            catch (Exception e)
            {
                // One bad request must not fail the others: each is tried again alone. A full disk is
                // logged once a minute by DiskFullState, when the requests' answers say so.
                if (!DiskFullState.IsDiskFull(e))
                {
                    _log.LogWarning(e, "Writing {Count} subscription(s) together failed; writing them one by one", batch.Count);
                }
                foreach (var request in batch)
                {
                    try
                    {
                        request.Done.TrySetResult((await _lane.InWriteTransactionAsync(c => Write(c, [request])))[0]);
                    }
                    catch (Exception alone)
                    {
                        request.Done.TrySetException(alone);
                    }
                }
            }
            batch.Clear();
        }
    }

    private List<Subscription> Write(WriteConnection connection, List<Request> requests)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var subscriptions = new List<Subscription>(requests.Count);
        foreach (var (userId, url, _) in requests)
        {
            if (SubscriptionWrites.FindFeed(connection, url) is { } existing)
            {
                var subscribed = SubscriptionWrites.Subscribe(connection, userId, existing, now);
                var live = JobQueue.FindLive(connection, FeedJobs.UniqueKey(existing));
                subscriptions.Add(new Subscription(existing, live, Created: false, subscribed));
                continue;
            }
            var feedId = SubscriptionWrites.AddFeed(connection, url, now);
            SubscriptionWrites.Subscribe(connection, userId, feedId, now);
            var jobId = _queue.Enqueue(connection, FeedJobs.Fetch(feedId, JobPriority.User));
            subscriptions.Add(new Subscription(feedId, jobId, Created: true, Subscribed: true));
        }
        return subscriptions;
    }

    private sealed record Request(long UserId, string Url, TaskCompletionSource<Subscription> Done);
}
