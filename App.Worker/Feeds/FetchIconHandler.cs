using System.Net;
using App.Data;
using App.Data.Feeds;
using App.Worker.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Worker.Feeds;

/// <summary>
/// The fetch-icon job: the feed's declared icon, else <c>/favicon.ico</c> of its site, through the
/// same guarded client as feeds (private addresses refused, redirects followed hop by hop). Only a
/// small raster image whose bytes say what it is gets stored; anything else is stored as "no icon",
/// so that the feed is not asked again for <see cref="FeedIcon.KeptFor"/>. A missing icon is not a
/// failed job; a network error is, and is tried once more.
/// </summary>
public sealed class FetchIconHandler(
    IDbContextFactory<AppDbContext> contexts,
    IHttpClientFactory clients,
    IOptions<FeedOptions> options,
    TimeProvider time,
    ILogger<FetchIconHandler> log) : IJobHandler
{
    /// <summary>Icons are small; a larger answer is not one.</summary>
    public const int MaxBytes = 100 * 1024;

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
        var url = IconUrl(feed);
        var icon = url is null ? null : await DownloadAsync(url, ct);
        if (icon is null)
        {
            log.LogInformation("Feed {FeedId}: no usable icon at {Url}", feedId, url);
        }
        var now = time.GetUtcNow().UtcDateTime;
        await run.CompleteAsync(async (db, c) =>
        {
            if (!await db.Feeds.AnyAsync(f => f.Id == feedId, c))
            {
                return;
            }
            var stored = await db.FeedIcons.SingleOrDefaultAsync(i => i.FeedId == feedId, c);
            if (stored is null)
            {
                stored = new FeedIcon { FeedId = feedId, ContentType = "", Data = [] };
                db.FeedIcons.Add(stored);
            }
            (stored.ContentType, stored.Data, stored.FetchedAt) = (icon?.ContentType ?? "", icon?.Data ?? [], now);
        }, CancellationToken.None);
    }

    /// <summary>The icon the feed declares, else the site's (or the feed's host's) <c>/favicon.ico</c>.</summary>
    public static Uri? IconUrl(Feed feed)
    {
        if (Uri.TryCreate(feed.IconUrl, UriKind.Absolute, out var declared) && declared.Scheme is "http" or "https")
        {
            return declared;
        }
        var site = Uri.TryCreate(feed.SiteUrl, UriKind.Absolute, out var s) && s.Scheme is "http" or "https" ? s : new Uri(feed.Url);
        return new Uri(site, "/favicon.ico");
    }

    private async Task<(string ContentType, byte[] Data)?> DownloadAsync(Uri url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.FetchTimeout);
        var client = clients.CreateClient(FeedFetcher.ClientName);
        for (var hop = 0; hop <= FeedFetcher.MaxRedirects; hop++)
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.Headers.Location is { } next && (int)response.StatusCode is >= 300 and < 400)
            {
                url = new Uri(url, next);
                if (url.Scheme is not ("http" or "https"))
                {
                    return null;
                }
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentLength > MaxBytes)
            {
                return null;
            }
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var data = new byte[MaxBytes + 1];
            var length = 0;
            int read;
            while (length < data.Length && (read = await body.ReadAsync(data.AsMemory(length), timeout.Token)) > 0)
            {
                length += read;
            }
            if (length > MaxBytes)
            {
                return null;
            }
            var bytes = data[..length];
            return ImageType(bytes) is { } type ? (type, bytes) : null;
        }
        return null;
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
