using System.Globalization;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Feeds;
using App.Web.Folders;

namespace App.Web.Opml;

/// <summary>
/// What an import did. Every outline is counted once: added to the user's subscriptions (in its outline's folder),
/// already subscribed (also a repeat within the file), or skipped (not an http/https address).
/// <see cref="NewFeeds"/> of the added ones were new to the install and are fetched under batch
/// <see cref="BatchId"/> (null when there were none: the others are fetched already).
/// </summary>
public sealed record OpmlImportResult(long? BatchId, int Added, int NewFeeds, int AlreadySubscribed, int Skipped)
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

/// <summary>
/// Turns an OPML file's outlines into the user's subscriptions: feeds new to the install are
/// added, each with a pending fetch job, all under one batch; feeds other users have are only
/// subscribed to (they are fetched already).
/// </summary>
public static class OpmlImport
{
    /// <summary>
    /// Feeds written per transaction. 500 new feeds (feed, subscription, job) hold the write lock
    /// for a few tens of milliseconds; a file of thousands in one transaction held it for as long
    /// as the whole import, and every worker's claim and every other subscription waited behind it.
    /// </summary>
    public const int ChunkSize = 500;

    // Longer than the busy wait's 1 ms between tries, so that another process waiting for the
    // lock gets it between chunks; this process's own writers get their turn at the lane's gate.
    private static readonly TimeSpan PauseBetweenChunks = TimeSpan.FromMilliseconds(5);

    private const int MaxTitleLength = 500;

    /// <summary>The batch's name for people: "Import of feeds.opml".</summary>
    public static string BatchName(string? fileName)
    {
        var name = Path.GetFileName(fileName) is { Length: > 0 } file ? $"Import of {file}" : "OPML import";
        return name.Length > 300 ? name[..300] : name;
    }

    /// <summary>Refuses, with a sentence for the person who chose it, a file listing more feeds than one import may add.</summary>
    public static void EnsureWithinCap(IReadOnlyList<OpmlOutline> outlines, int maxOutlines)
    {
        if (outlines.Count > maxOutlines)
        {
            throw new OpmlException(string.Create(CultureInfo.InvariantCulture,
                $"The file lists {outlines.Count:N0} feeds; one import takes at most {maxOutlines:N0}. Nothing was imported: split the file and import each part."));
        }
    }

    /// <summary>
    /// In transactions of <see cref="ChunkSize"/> feeds on the write lane, so that other writers get
    /// in between. Once the first chunk is written the import runs to its end, whether or not the
    /// request is still there; should a chunk fail, the chunks before it stay imported, and importing
    /// the file again adds only the rest (feeds already subscribed are counted, not added).
    /// </summary>
    public static async Task<OpmlImportResult> ImportAsync(
        WriteLane lane, JobQueue queue, TimeProvider time, long userId, IReadOnlyList<OpmlOutline> outlines, string batchName, CancellationToken ct)
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
        long? batchId = null;
        int added = 0, newFeeds = 0, known = 0;
        var first = true;
        foreach (var chunk in wanted.Chunk(ChunkSize))
        {
            if (!first)
            {
                // Real time, not the TimeProvider: the pause is for other processes, which a test clock does not move.
                await Task.Delay(PauseBetweenChunks, CancellationToken.None);
            }
            await lane.InWriteTransactionAsync(connection =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                foreach (var (url, outline) in chunk)
                {
                    if (SubscriptionWrites.FindFeed(connection, url) is { } existing)
                    {
                        if (SubscriptionWrites.Subscribe(connection, userId, existing, now))
                        {
                            File(connection, userId, existing, outline.Folder, now);
                            added++;
                        }
                        else
                        {
                            known++;
                        }
                        continue;
                    }
                    // Shown until the first fetch brings the feed's own title.
                    var title = outline.Title is { } t ? (t.Length > MaxTitleLength ? t[..MaxTitleLength] : t) : null;
                    var feedId = SubscriptionWrites.AddFeed(connection, url, now, title, FeedUrl.IsHttp(outline.HtmlUrl) ? outline.HtmlUrl : null);
                    SubscriptionWrites.Subscribe(connection, userId, feedId, now);
                    File(connection, userId, feedId, outline.Folder, now);
                    batchId ??= queue.AddBatch(connection, batchName, userId);
                    // Background priority: a person's own add or refresh goes ahead of a bulk import.
                    queue.Enqueue(connection, FeedJobs.Fetch(feedId, JobPriority.Background) with { BatchId = batchId });
                    added++;
                    newFeeds++;
                }
                return true;
            }, first ? ct : CancellationToken.None);
            first = false;
        }
        return new OpmlImportResult(batchId, added, newFeeds, known + repeated, skipped);
    }

    // A feed new to the user goes into its outline's folder (made when the user has none of that
    // name); one they follow already stays where they put it.
    private static void File(WriteConnection connection, long userId, long feedId, string? folder, DateTime now)
    {
        if (FolderEdits.Normalize(folder, out _) is { } name)
        {
            FolderWrites.Move(connection, userId, feedId, FolderWrites.FindOrAdd(connection, userId, name, now));
        }
    }
}
