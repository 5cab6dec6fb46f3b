using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Web.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Opml;

/// <summary>
/// What an import did. Every outline is counted once: added, already subscribed (also a repeat
/// within the file), or skipped (not an http/https address). <see cref="BatchId"/> is null when
/// nothing was added.
/// </summary>
public sealed record OpmlImportResult(long? BatchId, int Added, int AlreadySubscribed, int Skipped)
{
    public string Summary()
    {
        var parts = new List<string> { Added == 1 ? "1 new feed" : $"{Added} new feeds" };
        if (AlreadySubscribed > 0)
        {
            parts.Add($"{AlreadySubscribed} already subscribed");
        }
        if (Skipped > 0)
        {
            parts.Add($"{Skipped} skipped (not an http or https address)");
        }
        return string.Join(", ", parts) + ".";
    }
}

/// <summary>Turns an OPML file's outlines into feeds, each with a pending fetch job, all under one batch.</summary>
public static class OpmlImport
{
    private const int MaxTitleLength = 500;

    /// <summary>
    /// In one write transaction: the feeds not yet subscribed, one batch, and one fetch job per new
    /// feed in that batch. Either all of it is stored or none of it.
    /// </summary>
    public static async Task<OpmlImportResult> ImportAsync(
        AppDbContext db, JobQueue queue, TimeProvider time, IReadOnlyList<OpmlOutline> outlines, string batchName, CancellationToken ct)
    {
        var wanted = new Dictionary<string, OpmlOutline>(StringComparer.Ordinal);
        int skipped = 0, repeated = 0;
        foreach (var outline in outlines)
        {
            if (!FeedUrl.TryNormalize(outline.XmlUrl, out var url, out _))
            {
                skipped++;
            }
            else if (!wanted.TryAdd(url, outline))
            {
                repeated++;
            }
        }

        // BEGIN IMMEDIATE: the look-up of known addresses and the inserts hold the write lock together.
        using var gate = await queue.EnterWriteAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var urls = wanted.Keys.ToList();
        // A feed found through its page (or moved) is also known by the address it was added with.
        var known = (await db.Feeds
            .Where(f => urls.Contains(f.Url) || (f.AddedUrl != null && urls.Contains(f.AddedUrl)))
            .Select(f => new { f.Url, f.AddedUrl })
            .ToListAsync(ct))
            .SelectMany(f => f.AddedUrl is null ? [f.Url] : new[] { f.Url, f.AddedUrl })
            .Where(wanted.ContainsKey)
            .ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow().UtcDateTime;
        var feeds = wanted.Where(w => !known.Contains(w.Key))
            .Select(w => new Feed
            {
                Url = w.Key,
                // Shown until the first fetch brings the feed's own title.
                Title = w.Value.Title is { } t ? (t.Length > MaxTitleLength ? t[..MaxTitleLength] : t) : null,
                SiteUrl = FeedUrl.IsHttp(w.Value.HtmlUrl) ? w.Value.HtmlUrl : null,
                CreatedAt = now,
            })
            .ToList();
        if (feeds.Count == 0)
        {
            return new OpmlImportResult(null, 0, known.Count + repeated, skipped);
        }

        var batch = new JobBatch { Name = batchName, CreatedAt = now };
        db.JobBatches.Add(batch);
        db.Feeds.AddRange(feeds);
        // The jobs refer to the feeds and the batch, which need their ids first; all commit together.
        await db.SaveChangesAsync(ct);
        foreach (var feed in feeds)
        {
            // Background priority: a person's own add or refresh goes ahead of a bulk import.
            queue.Enqueue(db, FeedJobs.Fetch(feed.Id, JobPriority.Background) with { BatchId = batch.Id });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new OpmlImportResult(batch.Id, feeds.Count, known.Count + repeated, skipped);
    }
}
