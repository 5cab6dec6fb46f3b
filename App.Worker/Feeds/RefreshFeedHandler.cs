using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Worker.Feeds;

/// <summary>
/// The fetch-feed job: fetch → parse → store. Items and the job's completion commit in one
/// transaction fenced by the lease; a failure is recorded on the job and on the feed together.
/// </summary>
public sealed class RefreshFeedHandler(
    IDbContextFactory<AppDbContext> contexts,
    FeedFetcher fetcher,
    FeedParser parser,
    FeedItemStore store,
    IOptions<FeedOptions> options,
    TimeProvider time,
    ILogger<RefreshFeedHandler> log) : IJobHandler
{
    public string Type => FeedJobs.FetchFeed;

    /// <summary>Above the fetch's own limit (Feeds:FetchTimeout), so that parsing and storing also have a bound.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(60);

    public async Task RunAsync(JobRun run, CancellationToken ct)
    {
        var feedId = run.Job.FeedId ?? ReadFeedId(run.Job.Payload);
        string url;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var found = await db.Feeds.Where(f => f.Id == feedId).Select(f => f.Url).FirstOrDefaultAsync(ct);
            if (found is null)
            {
                await run.FailAsync($"Feed {feedId} no longer exists.", retryable: false, null, ct);
                return;
            }
            url = found;
        }

        ParsedFeed parsed;
        try
        {
            var document = await fetcher.FetchAsync(new Uri(url), ct);
            parsed = parser.Parse(document);
        }
        catch (FeedException e)
        {
            log.LogWarning(e, "Fetching feed {FeedId} ({Url}) failed: {Error}", feedId, url, e.Message);
            await run.FailAsync(e.Message, e.Retryable, (db, final, c) => RecordFailureAsync(db, feedId, e.Message, final, c), CancellationToken.None);
            return;
        }

        var added = 0;
        var now = time.GetUtcNow().UtcDateTime;
        var won = await run.CompleteAsync(async (db, c) =>
        {
            var feed = await db.Feeds.SingleAsync(f => f.Id == feedId, c);
            FeedSchedule.Succeeded(feed, now, options.Value.RefreshInterval);
            added = await store.StageAsync(db, feed, parsed, now, c);
        }, CancellationToken.None);
        if (won)
        {
            log.LogInformation("Feed {FeedId}: {Added} new of {Count} items", feedId, added, parsed.Items.Count);
        }
    }

    /// <summary>The feed shows every failed attempt's error; only a job that gave up pushes its next refresh back.</summary>
    private async Task RecordFailureAsync(AppDbContext db, long feedId, string error, bool final, CancellationToken ct)
    {
        if (await db.Feeds.SingleOrDefaultAsync(f => f.Id == feedId, ct) is not { } feed)
        {
            return;
        }
        feed.LastError = error;
        if (final)
        {
            FeedSchedule.Failed(feed, time.GetUtcNow().UtcDateTime, options.Value.RefreshInterval, retryAfter: null);
        }
    }

    private static long ReadFeedId(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("feedId").GetInt64();
    }
}
