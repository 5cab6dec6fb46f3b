using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Worker.Articles;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;
using App.Worker.Feeds.Store;
using App.Worker.Monitoring;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Worker.Feeds;

/// <summary>
/// The fetch-feed job, whose <see cref="RunAsync"/> reads as the refresh: fetch (a conditional
/// GET, following a web page to its feed) → parse → sanitize (item by item, into a spool) → store.
/// Items and the job's completion commit in one transaction fenced by the lease; a failure is
/// recorded on the job and on the feed together. A 304 is a success that only moves the schedule on.
/// </summary>
public sealed class FetchFeedHandler(
    IDbContextFactory<AppDbContext> contexts,
    JobQueue queue,
    FeedLocator locator,
    FeedParser parser,
    ItemSanitizer sanitizer,
    FeedItemStore store,
    GarbageBudget budget,
    WorkerMetrics metrics,
    IOptions<FeedOptions> options,
    IOptions<ArticleOptions> articles,
    TimeProvider time,
    ILogger<FetchFeedHandler> log) : IJobHandler
{
    public string Type => FeedJobs.FetchFeed;

    /// <summary>Time for parsing, sanitizing and storing once the fetches are done: ten times what the largest feed (10 MiB) measured on a busy machine.</summary>
    private static readonly TimeSpan ProcessingAllowance = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Two fetches at Feeds:FetchTimeout each (a page, then the feed it advertises) and the work
    /// after them: the fetches time out first, with their own message, and the job's timeout
    /// bounds parsing and storing, which observe it.
    /// </summary>
    public TimeSpan Timeout => 2 * options.Value.FetchTimeout + ProcessingAllowance;

    /// <summary>Fetches wait on the network: they run in many slots of their own (Feeds:FetchConcurrency).</summary>
    public int? Concurrency => options.Value.FetchConcurrency;

    public async Task RunAsync(JobRun run, CancellationToken ct)
    {
        var feedId = FeedIdOf(run.Job);
        if (await FindAsync(feedId, ct) is not { } stored)
        {
            await run.FailAsync($"Feed {feedId} no longer exists.", retryable: false, null, ct);
            return;
        }
        try
        {
            budget.Spend();
            var document = await locator.FetchFeedAsync(
                new Uri(stored.Url), new Validators(stored.ETag, stored.LastModified), ct, stored.UserAgent);
            // Where the feed is from now on (after permanent redirects, or the feed a page led to), decided once.
            var url = (document.PermanentUrl ?? document.Url).ToString();
            await CheckNewUrlIsFreeAsync(feedId, stored.Url, url, ct);
            if (document.NotModified)
            {
                await CompleteAsync(run, feedId, url, document, null, null, ct);
                return;
            }
            using var items = new ItemSpool(options.Value.MaxItemsPerFetch);
            ParsedFeed parsed;
            // The body (and its temporary file) goes once parsed: what the store needs is in the spool.
            using (document.Body)
            {
                parsed = ParseInto(items, document, stored.SiteUrl ?? url, ct);
            }
            await CompleteAsync(run, feedId, url, document, parsed, items, ct);
        }
        catch (FeedException e)
        {
            // An expected failure (a 404, a blocked address, a page that is not a feed): the runner's
            // line for the finished job carries its message; a stack trace would tell nothing more.
            await run.FailAsync(
                e.Message, e.Retryable, (db, final, c) => RecordFailureAsync(db, feedId, e.Message, e.RetryNotBefore, final, c),
                CancellationToken.None, retryNotBefore: e.RetryNotBefore, reason: e.Reason);
        }
    }

    /// <summary>
    /// The reads of the completion, run once for no feed, and the parse and sanitize steps, run on
    /// <see cref="WarmUpFeeds"/>: compiled here, before the worker claims, rather than in its first
    /// refreshes (the reads inside the write lock). Measured with four workers starting a refresh
    /// together: each one's first completion held the lock 0.3-0.8 s, 0.2-0.4 s of it compiling the
    /// icon check alone, and the JIT took a quarter to two fifths of their CPU for 15-20 s.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken ct)
    {
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await StoredFeed(db, 0, ct);
            await FeedJobs.WarmUpAsync(db, ct);
            await ArticleJobs.WarmUpAsync(db, ct);
        }
        foreach (var sample in WarmUpFeeds.All)
        {
            using var items = new ItemSpool(options.Value.MaxItemsPerFetch);
            ParseInto(items, sample.Document(), WarmUpFeeds.Url.ToString(), ct);
            // Read back as the store reads it.
            _ = items.OldestFirst().Count();
        }
    }

    /// <summary>The parse step: each item sanitized into <paramref name="items"/> as the parser hands it over.</summary>
    private ParsedFeed ParseInto(ItemSpool items, FetchedDocument document, string fallbackBaseUrl, CancellationToken ct) =>
        parser.Parse(document, (item, soFar) =>
        {
            items.Add(sanitizer.Stage(item, soFar.SiteUrl ?? fallbackBaseUrl));
            budget.Spend();
        }, ct);

    // Every refresh reads its feed twice (before the fetch, and in the completion's transaction):
    // compiled once, the read skips EF Core's look-up of the translated query (walking and hashing
    // the expression tree), which cost about as much as the read itself (docs/feeds.md, CPU per refresh).
    private static readonly Func<AppDbContext, long, CancellationToken, Task<Feed?>> StoredFeed =
        EF.CompileAsyncQuery((AppDbContext db, long id, CancellationToken ct) => db.Feeds.AsNoTracking().SingleOrDefault(f => f.Id == id));

    private async Task<Feed?> FindAsync(long feedId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await StoredFeed(db, feedId, ct);
    }

    /// <summary>
    /// The store step, in the job's completion: the feed's fields and schedule, its items (none for
    /// a 304), an icon fetch when one is due and the new items' article fetches when a subscriber
    /// asks for original content, committed only while the lease holds.
    /// </summary>
    private async Task CompleteAsync(
        JobRun run, long feedId, string url, FetchedDocument document, ParsedFeed? parsed, ItemSpool? items, CancellationToken ct)
    {
        var added = 0;
        var now = time.GetUtcNow().UtcDateTime;
        var won = await run.CompleteAsync(async (db, c) =>
        {
            // Untracked: the row is written by FeedRowWrite, without EF Core's change tracking.
            var feed = await StoredFeed(db, feedId, c)
                ?? throw new FeedException($"Feed {feedId} no longer exists.", retryable: false);
            FeedSchedule.Succeeded(feed, now, FeedSettings.RefreshIntervalOf(feed, options.Value.RefreshInterval));
            if (url != feed.Url)
            {
                feed.AddedUrl ??= feed.Url;
                feed.Url = url;
            }
            if (parsed is null || items is null)
            {
                // 304: nothing changed but the fact that the feed is reachable.
                feed.LastFetchedAt = now;
                feed.LastError = null;
                feed.ETag = document.ETag ?? feed.ETag;
                feed.LastModified = document.LastModified ?? feed.LastModified;
                await FeedRowWrite.WriteAsync(db, feed, c);
                return;
            }
            feed.ETag = document.ETag;
            feed.LastModified = document.LastModified;
            added = await store.StoreAsync(db, feed, parsed, items, now, c);
            await FeedRowWrite.WriteAsync(db, feed, c);
            await FeedJobs.EnsureIconAsync(db, queue, feedId, now, c);
            await ArticleJobs.EnqueueForNewItemsAsync(db, queue, feedId, added, articles.Value.MaxPerRefresh, c);
        }, ct);
        if (won)
        {
            metrics.ItemsStored(added);
            log.LogInformation("Feed {FeedId}: {Added} new of {Count} items", feedId, added, items?.Count ?? 0);
        }
    }

    /// <summary>The feed moved (301/308) or was found through its page: its new address must not be another subscription's.</summary>
    private async Task CheckNewUrlIsFreeAsync(long feedId, string oldUrl, string url, CancellationToken ct)
    {
        if (url == oldUrl)
        {
            return;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Feeds.AnyAsync(f => f.Url == url && f.Id != feedId, ct))
        {
            throw new FeedException($"The feed is at {url}, which is already subscribed", retryable: false);
        }
    }

    /// <summary>
    /// A failure the runner records (an unexpected exception, the timeout, a completion that could
    /// not be written) is the feed's as much as one this handler records itself.
    /// </summary>
    public JobQueue.FailEffects FailureEffects(JobRun run, string error) =>
        (db, final, ct) => RecordFailureAsync(db, FeedIdOf(run.Job), error, null, final, ct);

    /// <summary>The feed shows every failed attempt's error; only a job that gave up pushes its next refresh back.</summary>
    private async Task RecordFailureAsync(AppDbContext db, long feedId, string error, DateTime? retryNotBefore, bool final, CancellationToken ct)
    {
        if (await db.Feeds.SingleOrDefaultAsync(f => f.Id == feedId, ct) is not { } feed)
        {
            return;
        }
        feed.LastError = error;
        if (final)
        {
            FeedSchedule.Failed(
                feed, time.GetUtcNow().UtcDateTime, FeedSettings.RefreshIntervalOf(feed, options.Value.RefreshInterval), retryNotBefore);
        }
    }

    private static long FeedIdOf(ClaimedJob job) =>
        job.FeedId ?? throw new InvalidOperationException($"Job {job.Lease.JobId} ({job.Type}) names no feed.");
}
