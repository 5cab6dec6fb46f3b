using System.Security.Cryptography;
using System.Text;
using App.Data;
using App.Data.Feeds;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace App.Worker.Feeds;

/// <summary>
/// Writes a parsed feed into the database: the feed's fields, new items inserted (unread for every
/// subscriber), changed ones updated in place (their read marks kept).
/// </summary>
public sealed class FeedItemStore(GarbageBudget budget)
{
    /// <summary>
    /// Writes inside <paramref name="db"/>'s open transaction (the job's completion): the feed's
    /// fields are staged on the tracked entity, the items are written at once, one prepared
    /// statement per item, so that none of them is tracked or held. Returns how many were new.
    /// </summary>
    public async Task<int> StoreAsync(AppDbContext db, Feed feed, ParsedFeed parsed, ItemSpool items, DateTime now, CancellationToken ct)
    {
        feed.Title = FeedText.Collapse(parsed.Title) ?? feed.Title;
        feed.SiteUrl = parsed.SiteUrl ?? feed.SiteUrl;
        feed.IconUrl = parsed.IconUrl ?? feed.IconUrl;
        feed.LastFetchedAt = now;
        feed.LastError = null;

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction
            ?? throw new InvalidOperationException("Items are stored inside the job's completion transaction.");
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await using var insert = Command(connection, transaction, FeedItemSql.Insert, "$guid");
        await using var update = Command(connection, transaction, FeedItemSql.Update);
        var newestBefore = await ScalarAsync(connection, transaction, FeedItemSql.NewestId, feed.Id, ct);
        var added = 0;
        foreach (var item in items.OldestFirst())
        {
            budget.Spend();
            Bind(insert, feed.Id, item, now);
            if (await insert.ExecuteNonQueryAsync(ct) == 1)
            {
                added++;
                continue;
            }
            Bind(update, feed.Id, item, now);
            await update.ExecuteNonQueryAsync(ct);
        }
        if (added > 0)
        {
            await using var unread = connection.CreateCommand();
            unread.Transaction = transaction;
            unread.CommandText = FeedItemSql.MarkNewUnread;
            unread.Parameters.AddWithValue("$feedId", feed.Id);
            unread.Parameters.AddWithValue("$after", newestBefore);
            await unread.ExecuteNonQueryAsync(ct);
        }
        // What is left to allocate is EF's saving of the feed row and the commit.
        budget.Spend();
        return added;
    }

    private static async Task<long> ScalarAsync(
        SqliteConnection connection, SqliteTransaction transaction, string sql, long feedId, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$feedId", feedId);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>What a refresh stores of an item: its identity, title as collapsed text, summary and content sanitized.</summary>
    public static StagedItem Stage(ParsedItem item, ContentCleaner cleaner, string fallbackBaseUrl)
    {
        var baseUrl = item.BaseUrl ?? item.Link ?? fallbackBaseUrl;
        var summary = cleaner.Html(item.Summary, baseUrl);
        var content = cleaner.Html(item.Content, baseUrl) ?? summary;
        return new StagedItem(
            KeyOf(item), item.Guid, FeedText.Collapse(item.Title), item.Link, item.Author, item.PublishedAt, item.UpdatedAt,
            summary, content, FeedText.Excerpt(summary ?? content),
            item.Enclosure?.Url, item.Enclosure?.MediaType, item.Enclosure?.Length);
    }

    /// <summary>
    /// An item's identity in its feed: guid, else link, else a hash of what it says: title and
    /// content, and its summary, dates, author and enclosure when it has them (items that differ only
    /// in those were stored as one). An item with none of those keeps the key it always had.
    /// </summary>
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
        string?[] more = [item.Content is null ? null : item.Summary, item.PublishedAt?.ToString("O"), item.UpdatedAt?.ToString("O"), item.Author, item.Enclosure?.Url];
        var said = $"{item.Title}\n{item.Content ?? item.Summary}" + (more.Any(m => m is not null) ? "\n" + string.Join("\n", more) : "");
        return "hash:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(said)));
    }

    private static readonly string[] Parameters =
    [
        "$feedId", "$key", "$title", "$link", "$author", "$publishedAt", "$updatedAt", "$summary", "$contentHtml", "$excerpt",
        "$enclosureUrl", "$enclosureType", "$enclosureLength", "$now",
    ];

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] more)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in Parameters.Concat(more))
        {
            command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }
        return command;
    }

    private static void Bind(SqliteCommand command, long feedId, StagedItem item, DateTime now)
    {
        var p = command.Parameters;
        p["$feedId"].Value = feedId;
        p["$key"].Value = item.Key;
        p["$title"].Value = Db(item.Title);
        p["$link"].Value = Db(item.Link);
        p["$author"].Value = Db(item.Author);
        p["$publishedAt"].Value = Db(item.PublishedAt);
        p["$updatedAt"].Value = Db(item.UpdatedAt);
        p["$summary"].Value = Db(item.Summary);
        p["$contentHtml"].Value = Db(item.ContentHtml);
        p["$excerpt"].Value = Db(item.Excerpt);
        p["$enclosureUrl"].Value = Db(item.EnclosureUrl);
        p["$enclosureType"].Value = Db(item.EnclosureType);
        p["$enclosureLength"].Value = Db(item.EnclosureLength);
        p["$now"].Value = now;
        if (p.Contains("$guid"))
        {
            p["$guid"].Value = Db(item.Guid);
        }
    }

    private static object Db(object? value) => value ?? DBNull.Value;
}
