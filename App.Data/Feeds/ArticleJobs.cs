using System.Globalization;
using System.Text.Json;
using App.Data.Queue;
using Microsoft.EntityFrameworkCore;

namespace App.Data.Feeds;

/// <summary>
/// The seam between items and the fetch-article job ("fetch original content"): how one is asked
/// for, on demand or for a refresh's new items, and found again. The job carries the item's feed in
/// <see cref="Job.FeedId"/> (so the feed's subscribers see it, and it goes with the feed) and the
/// item in its payload.
/// </summary>
public static class ArticleJobs
{
    /// <summary>The job type that fetches an item's page and stores its readable article.</summary>
    public const string FetchArticle = "fetch-article";

    /// <summary>
    /// A page either answers within a few tries or not at all: two attempts, the second after the
    /// queue's backoff (a 5xx, a timeout), and then the item keeps the feed's text.
    /// </summary>
    public const int MaxAttempts = 2;

    /// <summary>At most one live fetch-article job per item: the queue's unique key enforces it.</summary>
    public static string UniqueKey(long itemId) => string.Create(CultureInfo.InvariantCulture, $"{FetchArticle}:{itemId}");

    /// <summary>The request for fetching <paramref name="itemId"/>'s article.</summary>
    public static JobRequest Fetch(long feedId, long itemId, int priority) =>
        new(FetchArticle, JsonSerializer.Serialize(new ArticlePayload(itemId), PayloadJson))
        {
            FeedId = feedId,
            UniqueKey = UniqueKey(itemId),
            Priority = priority,
            MaxAttempts = MaxAttempts,
        };

    /// <summary>The item a fetch-article job's payload names.</summary>
    public static long ItemIdOf(string payload) =>
        JsonSerializer.Deserialize<ArticlePayload>(payload, PayloadJson)?.ItemId
        ?? throw new InvalidOperationException($"A {FetchArticle} job's payload names no item: {payload}");

    /// <summary>
    /// The item's newest fetch-article job (live or finished), for the item page: a seek on the
    /// feed's jobs (<c>IX_Jobs_FeedId</c>), not on the unique key, whose index holds live jobs only.
    /// </summary>
    public static Task<Job?> LatestAsync(AppDbContext db, long feedId, long itemId, CancellationToken ct) =>
        db.Jobs.AsNoTracking()
            .Where(j => j.FeedId == feedId && j.UniqueKey == UniqueKey(itemId))
            .OrderByDescending(j => j.Id)
            .FirstOrDefaultAsync(ct);

    /// <summary>The id of the item's pending or running fetch-article job, if any (on the live unique-key index).</summary>
    public static Task<long?> LiveJobIdAsync(AppDbContext db, long itemId, CancellationToken ct) =>
        db.Jobs.Where(j => j.UniqueKey == UniqueKey(itemId))
            .InStates(JobTransitions.Live)
            .Select(j => (long?)j.Id)
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// The id of the item's live fetch-article job (made due now at <paramref name="priority"/> if it
    /// waits), or of a new one added to <paramref name="db"/>'s open write transaction; the live
    /// unique-key index is the backstop against another process's insert.
    /// </summary>
    public static async Task<long> EnsureAsync(AppDbContext db, JobQueue queue, long feedId, long itemId, int priority, CancellationToken ct)
    {
        if (await LiveJobIdAsync(db, itemId, ct) is { } existing)
        {
            await queue.ExpediteAsync(db, existing, priority, ct);
            return existing;
        }
        return await queue.EnqueueAsync(db, Fetch(feedId, itemId, priority), ct);
    }

    /// <summary>
    /// Inside a refresh's completion transaction, after it stored <paramref name="added"/> new items:
    /// when any subscriber of the feed asks for original content, one background fetch-article job
    /// for each of the newest <paramref name="max"/> new items that has a web link. New items have
    /// the feed's highest ids (ids only grow), so no item stored before this refresh ever gets one.
    /// Returns how many jobs were added.
    /// </summary>
    public static async Task<int> EnqueueForNewItemsAsync(
        AppDbContext db, JobQueue queue, long feedId, int added, int max, CancellationToken ct)
    {
        if (added <= 0 || max <= 0 || !await AnyFetchesOriginals(db, feedId, ct))
        {
            return 0;
        }
        var items = await db.FeedItems.Where(i => i.FeedId == feedId)
            .OrderByDescending(i => i.Id)
            .Take(Math.Min(added, max))
            .Select(i => new { i.Id, i.Link })
            .ToListAsync(ct);
        var enqueued = 0;
        foreach (var item in items.Where(i => IsWebLink(i.Link)))
        {
            await queue.EnqueueAsync(db, Fetch(feedId, item.Id, JobPriority.Background), ct);
            enqueued++;
        }
        return enqueued;
    }

    /// <summary>Runs <see cref="EnqueueForNewItemsAsync"/>'s check for no feed, so that it is compiled before a completion needs it.</summary>
    public static Task WarmUpAsync(AppDbContext db, CancellationToken ct) => AnyFetchesOriginals(db, 0, ct);

    // Asked after every refresh that added items: compiled once, it skips EF Core's per-call look-up of the translation.
    private static readonly Func<AppDbContext, long, CancellationToken, Task<bool>> AnyFetchesOriginals =
        EF.CompileAsyncQuery((AppDbContext db, long feedId, CancellationToken ct) =>
            db.Subscriptions.Any(s => s.FeedId == feedId && s.FetchOriginalContent));

    /// <summary>Whether <paramref name="link"/> is an address a fetch-article job can load.</summary>
    public static bool IsWebLink(string? link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private sealed record ArticlePayload(long ItemId);
}
