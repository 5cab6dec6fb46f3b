using System.Text;
using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Worker.Feeds.Fetch;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;

namespace App.Worker.Feeds;

/// <summary>
/// The fetch-icon job: the feed's declared icon, else the icons its site's home page links to, else
/// <c>/favicon.ico</c> of the site, each fetched by <see cref="FeedFetcher"/> (private addresses
/// refused, redirects followed hop by hop, its timeout) with an icon's size limit. Only a small
/// raster image whose bytes say what it is gets stored; anything else is stored as "no icon", so
/// that the feed is not asked again for <see cref="FeedIcon.KeptFor"/>. A missing or unreachable
/// icon is not a failed job: the next place is tried, whatever went wrong with the last one. An
/// attempt that fails all the same (timed out, could not be written) also records "no icon", so
/// that every refresh does not queue another icon job.
/// </summary>
public sealed class FetchIconHandler(
    IDbContextFactory<AppDbContext> contexts,
    FeedFetcher fetcher,
    TimeProvider time,
    ILogger<FetchIconHandler> log) : IJobHandler
{
    /// <summary>Icons are small; a larger answer is not one.</summary>
    public const int MaxBytes = 100 * 1024;

    // Icon links sit in the page's head: only its start is parsed, and a larger page is not read at all.
    private const int PageHeadBytes = 64 * 1024;
    private const int MaxPageBytes = 512 * 1024;

    public string Type => FeedJobs.FetchIcon;

    public TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public async Task RunAsync(JobRun run, CancellationToken ct)
    {
        var feedId = run.Job.FeedId ?? 0;
        Feed? feed;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            feed = await db.Feeds.AsNoTracking().SingleOrDefaultAsync(f => f.Id == feedId, ct);
        }
        if (feed is null)
        {
            return;
        }
        (string ContentType, byte[] Data)? icon = null;
        await foreach (var url in CandidatesAsync(feed, ct))
        {
            if (await TryFetchAsync(url, MaxBytes, feed.UserAgent, ct) is { } bytes && ImageType(bytes) is { } type)
            {
                icon = (type, bytes);
                break;
            }
        }
        if (icon is null)
        {
            log.LogInformation("Feed {FeedId}: no usable icon found", feedId);
        }
        await run.CompleteAsync((db, c) => RecordAsync(db, feedId, icon, keepStored: false, c), ct);
    }

    public JobQueue.FailEffects FailureEffects(JobRun run, string error) =>
        (db, _, ct) => RecordAsync(db, run.Job.FeedId ?? 0, null, keepStored: true, ct);

    /// <summary>
    /// Stores the icon found, or "no icon" (an empty content type) as of now. After a failed attempt
    /// (<paramref name="keepStored"/>) an icon stored earlier is kept, only its date moves on.
    /// </summary>
    private async Task RecordAsync(AppDbContext db, long feedId, (string ContentType, byte[] Data)? icon, bool keepStored, CancellationToken ct)
    {
        if (!await db.Feeds.AnyAsync(f => f.Id == feedId, ct))
        {
            return;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var stored = await db.FeedIcons.SingleOrDefaultAsync(i => i.FeedId == feedId, ct);
        if (stored is null)
        {
            stored = new FeedIcon { FeedId = feedId, ContentType = "", Data = [] };
            db.FeedIcons.Add(stored);
        }
        else if (keepStored)
        {
            stored.FetchedAt = now;
            return;
        }
        (stored.ContentType, stored.Data, stored.FetchedAt) = (icon?.ContentType ?? "", icon?.Data ?? [], now);
    }

    /// <summary>Where to look, in order: the icon the feed declares, the site's linked icons, the site's (or the feed's host's) <c>/favicon.ico</c>.</summary>
    private async IAsyncEnumerable<Uri> CandidatesAsync(Feed feed, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (Uri.TryCreate(feed.IconUrl, UriKind.Absolute, out var declared) && declared.Scheme is "http" or "https")
        {
            yield return declared;
        }
        var site = Uri.TryCreate(feed.SiteUrl, UriKind.Absolute, out var s) && s.Scheme is "http" or "https" ? s : null;
        if (site is not null && await TryFetchAsync(site, MaxPageBytes, feed.UserAgent, ct) is { } page)
        {
            var head = page.Length > PageHeadBytes ? page[..PageHeadBytes] : page;
            foreach (var linked in FeedDiscovery.FindIcons(Encoding.UTF8.GetString(head), site))
            {
                yield return linked;
            }
        }
        yield return new Uri(site ?? new Uri(feed.Url), "/favicon.ico");
    }

    /// <summary>
    /// The body at <paramref name="url"/>, at most <paramref name="max"/> bytes, asked for with the
    /// feed's own user agent if it has one (a site that refuses ours for the feed refuses it for the
    /// icon too); null when the fetch failed (the next place is tried).
    /// </summary>
    private async Task<byte[]?> TryFetchAsync(Uri url, int max, string? userAgent, CancellationToken ct)
    {
        try
        {
            using var body = (await fetcher.FetchAsync(url, ct, maxBytes: max, userAgent: userAgent)).Body;
            return body.ToArray();
        }
        catch (FeedException e)
        {
            log.LogInformation("Icon candidate {Url}: {Error}", url, e.Message);
            return null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Whatever the fetcher did not foresee: an icon is not worth failing the job for.
            log.LogWarning(e, "Icon candidate {Url} failed", url);
            return null;
        }
    }

    /// <summary>The image type the bytes begin with, for the types the web serves; null for anything else (HTML error pages, SVG).</summary>
    public static string? ImageType(ReadOnlySpan<byte> data) => data switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "image/png",
        [0x00, 0x00, 0x01, 0x00, ..] => "image/x-icon",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "image/gif",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        _ => null,
    };
}
