using System.Threading.Channels;
using App.Data.Feeds;
using App.Data.Queue;

namespace App.Web.Feeds;

/// <summary>
/// Group commit for subscribing through the API: requests that arrive while a write is under way
/// are written together in the next transaction, so that 32 clients at once cost one write, not 32
/// in a row. Each request still gets its own answer: its new feed and job, or the existing feed and
/// its live job. Within a batch the look-ups and inserts run in arrival order inside one BEGIN
/// IMMEDIATE transaction, so the second of two requests for one URL finds the feed the first
/// created. Plain prepared statements on the queue's own connection: EF Core's change tracking
/// and two SaveChanges cost more than the writes themselves.
/// </summary>
public sealed class FeedSubscriber : IAsyncDisposable
{
    /// <summary>Outcome of <see cref="SubscribeAsync"/>: <paramref name="Created"/> is false for a feed that existed.</summary>
    public sealed record Subscription(long FeedId, long? JobId, bool Created);

    private const int MaxBatch = 256;

    // A feed found through its web page, or moved permanently, is also known by the address it was
    // added with; the feed's own address wins should both match.
    private const string FindFeed = """
        SELECT "Id" FROM "Feeds" WHERE "Url" = $url OR "AddedUrl" = $url ORDER BY "Url" = $url DESC LIMIT 1
        """;

    private const string InsertFeed = """
        INSERT INTO "Feeds" ("Url", "CreatedAt", "ConsecutiveFailures") VALUES ($url, $now, 0) RETURNING "Id"
        """;

    private readonly Channel<(string Url, TaskCompletionSource<Subscription> Done)> _requests =
        Channel.CreateUnbounded<(string, TaskCompletionSource<Subscription>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly JobQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger<FeedSubscriber> _log;
    private readonly Task _loop;

    public FeedSubscriber(JobQueue queue, TimeProvider time, ILogger<FeedSubscriber> log)
    {
        _queue = queue;
        _time = time;
        _log = log;
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Stores a feed for <paramref name="url"/> (already normalised by <see cref="FeedUrl"/>)
    /// together with its first fetch job, or finds the existing feed and its live fetch job.
    /// </summary>
    public Task<Subscription> SubscribeAsync(string url, CancellationToken ct)
    {
        var done = new TaskCompletionSource<Subscription>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_requests.Writer.TryWrite((url, done)))
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
        var batch = new List<(string Url, TaskCompletionSource<Subscription> Done)>(MaxBatch);
        while (await _requests.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }
            var urls = batch.ConvertAll(b => b.Url);
            try
            {
                var written = await _queue.InWriteTransactionAsync(c => Write(c, urls));
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(written[i]);
                }
            }
            catch (Exception e)
            {
                // One bad request must not fail the others: each is tried again alone.
                _log.LogWarning(e, "Writing {Count} subscription(s) together failed; writing them one by one", batch.Count);
                foreach (var (url, done) in batch)
                {
                    try
                    {
                        done.TrySetResult((await _queue.InWriteTransactionAsync(c => Write(c, [url])))[0]);
                    }
                    catch (Exception alone)
                    {
                        done.TrySetException(alone);
                    }
                }
            }
            batch.Clear();
        }
    }

    private List<Subscription> Write(QueueConnection connection, List<string> urls)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var subscriptions = new List<Subscription>(urls.Count);
        foreach (var url in urls)
        {
            var find = connection.Statement(FindFeed);
            find.Parameters.AddWithValue("$url", url);
            if (find.ExecuteScalar() is long existing)
            {
                subscriptions.Add(new Subscription(existing, JobQueue.FindLive(connection, FeedJobs.UniqueKey(existing)), Created: false));
                continue;
            }
            var insert = connection.Statement(InsertFeed);
            insert.Parameters.AddWithValue("$url", url);
            insert.Parameters.AddWithValue("$now", now);
            var feedId = (long)insert.ExecuteScalar()!;
            var jobId = _queue.Enqueue(connection, FeedJobs.Fetch(feedId, JobPriority.User));
            subscriptions.Add(new Subscription(feedId, jobId, Created: true));
        }
        return subscriptions;
    }
}
