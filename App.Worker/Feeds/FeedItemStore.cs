using System.Security.Cryptography;
using System.Text;
using App.Data;
using App.Data.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Worker.Feeds;

/// <summary>Writes a parsed feed into the database: the feed's fields, new items inserted, changed ones updated in place.</summary>
public sealed class FeedItemStore(ContentCleaner cleaner)
{
    /// <summary>Stages the changes in <paramref name="db"/>; the caller saves them with the job's completion.</summary>
    public async Task<int> StageAsync(AppDbContext db, Feed feed, ParsedFeed parsed, DateTime now, CancellationToken ct)
    {
        var feedId = feed.Id;
        feed.Title = FeedText.Collapse(parsed.Title) ?? feed.Title;
        feed.SiteUrl = parsed.SiteUrl ?? feed.SiteUrl;
        feed.IconUrl = parsed.IconUrl ?? feed.IconUrl;
        feed.LastFetchedAt = now;
        feed.LastError = null;

        var existing = await db.FeedItems.Where(i => i.FeedId == feedId).ToDictionaryAsync(i => i.Key, ct);
        var added = 0;
        // Feeds list newest first; inserting oldest first makes item ids follow publication order.
        foreach (var item in OldestFirst(parsed.Items))
        {
            var key = KeyOf(item);
            var baseUrl = item.BaseUrl ?? item.Link ?? feed.SiteUrl ?? feed.Url;
            var summary = cleaner.Html(item.Summary, baseUrl);
            var content = cleaner.Html(item.Content, baseUrl) ?? summary;
            if (!existing.TryGetValue(key, out var row))
            {
                row = new FeedItem { FeedId = feedId, Key = key, Guid = item.Guid, CreatedAt = now };
                db.FeedItems.Add(row);
                existing[key] = row;
                added++;
            }
            row.Title = FeedText.Collapse(item.Title);
            row.Link = item.Link;
            row.Author = item.Author;
            // No date at all: the time we first saw it, so that it still sorts among its neighbours.
            row.PublishedAt = item.PublishedAt ?? row.PublishedAt ?? now;
            row.UpdatedAt = item.UpdatedAt ?? row.UpdatedAt;
            row.Summary = summary;
            row.ContentHtml = content;
            row.EnclosureUrl = item.Enclosure?.Url;
            row.EnclosureType = item.Enclosure?.MediaType;
            row.EnclosureLength = item.Enclosure?.Length;
        }
        return added;
    }

    /// <summary>An item's identity in its feed: guid, else link, else a hash of title and content.</summary>
    public static string KeyOf(ParsedItem item)
    {
        if (item.Guid is { } guid)
        {
            return "guid:" + guid;
        }
        if (item.Link is { } link)
        {
            return "link:" + link;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{item.Title}\n{item.Content ?? item.Summary}"));
        return "hash:" + Convert.ToHexStringLower(hash);
    }

    private static IEnumerable<ParsedItem> OldestFirst(IReadOnlyList<ParsedItem> items) =>
        items.All(i => i.PublishedAt is not null)
            ? items.Select((item, index) => (item, index)).OrderBy(x => x.item.PublishedAt).ThenByDescending(x => x.index).Select(x => x.item)
            : items.Reverse();
}
