using System.Security.Cryptography;
using System.Text;
using App.Worker.Feeds.Parse;

namespace App.Worker.Feeds.Store;

/// <summary>What identifies an item within its feed, so that a refresh updates it rather than adding it again.</summary>
public static class ItemKeys
{
    /// <summary>
    /// An item's identity in its feed: guid, else link, else a hash of what it says: title and
    /// content, and its summary, dates, author and enclosure when it has them (items that differ only
    /// in those were stored as one). An item with none of those keeps the key it always had.
    /// </summary>
    public static string Of(ParsedItem item)
    {
        if (item.Guid is { } guid)
        {
            return "guid:" + guid;
        }
        if (item.Link is { } link)
        {
            return "link:" + link;
        }
        string?[] more = [item.Content is null ? null : item.Summary, item.PublishedAt?.ToString("O"), item.UpdatedAt?.ToString("O"), item.Author, item.Enclosure?.Url];
        var said = $"{item.Title}\n{item.Content ?? item.Summary}" + (more.Any(m => m is not null) ? "\n" + string.Join("\n", more) : "");
        return "hash:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(said)));
    }
}
