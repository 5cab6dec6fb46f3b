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
        feed.Title = cleaner.Text(parsed.Title) ?? feed.Title;
        feed.SiteUrl = parsed.SiteUrl ?? feed.SiteUrl;
        feed.LastFetchedAt = now;
        feed.LastError = null;

        var existing = await db.FeedItems.Where(i => i.FeedId == feedId).ToDictionaryAsync(i => i.Key, ct);
        var added = 0;
        // Feeds list newest first; inserting oldest first makes item ids follow publication order.
        foreach (var item in OldestFirst(parsed.Items))
        {
            var key = KeyOf(item);
            var title = cleaner.Text(item.Title);
            var content = cleaner.Html(item.ContentHtml, item.Link ?? feed.SiteUrl ?? feed.Url);
            if (existing.TryGetValue(key, out var stored))
            {
                stored.Title = title;
                stored.Link = item.Link;
                stored.Author = item.Author;
                stored.PublishedAt = item.PublishedAt ?? stored.PublishedAt;
                stored.ContentHtml = content;
                continue;
            }
            var row = new FeedItem
            {
                FeedId = feedId,
                Key = key,
                Guid = item.Guid,
                Title = title,
                Link = item.Link,
                Author = item.Author,
                PublishedAt = item.PublishedAt,
                ContentHtml = content,
                CreatedAt = now,
            };
            db.FeedItems.Add(row);
            existing[key] = row;
            added++;
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
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{item.Title}\n{item.ContentHtml}"));
        return "hash:" + Convert.ToHexStringLower(hash);
    }

    private static IEnumerable<ParsedItem> OldestFirst(IReadOnlyList<ParsedItem> items) =>
        items.All(i => i.PublishedAt is not null)
            ? items.Select((item, index) => (item, index)).OrderBy(x => x.item.PublishedAt).ThenByDescending(x => x.index).Select(x => x.item)
            : items.Reverse();
}
