using System.Data.Common;
using App.Data;
using App.Data.Feeds;
using App.Data.Writes;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace App.Worker.Feeds.Store;

/// <summary>
/// Writes a parsed feed into the database: the feed's fields, new items inserted (unread for every
/// subscriber), changed ones updated in place (their read marks kept).
/// </summary>
public sealed class FeedItemStore(GarbageBudget budget)
{
    /// <summary>
    /// Writes inside <paramref name="db"/>'s open transaction (the job's completion): the feed's
    /// fields are set on <paramref name="feed"/> (written after by <see cref="FeedRowWrite"/>), the items are written at once, one prepared
    /// statement per item, so that none of them is tracked or held. Returns how many were new.
    /// </summary>
    public async Task<int> StoreAsync(AppDbContext db, Feed feed, ParsedFeed parsed, ItemSpool items, DateTime now, CancellationToken ct)
    {
        feed.Title = FeedText.Collapse(parsed.Title) ?? feed.Title;
        feed.SiteUrl = parsed.SiteUrl ?? feed.SiteUrl;
        feed.IconUrl = parsed.IconUrl ?? feed.IconUrl;
        feed.LastFetchedAt = now;
        feed.LastError = null;
        // Said on the feed (its page, the API's fetchNote) rather than as an error: the fetch succeeded.
        feed.FetchNote = items.Count > items.Keep
            ? $"The feed lists {items.Count:N0} items; only the newest {items.Keep:N0} are stored (Feeds:MaxItemsPerFetch)."
            : null;

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Items are stored inside the job's completion transaction.");
        var connection = db.Database.GetDbConnection();
        await using var insert = Command(connection, transaction, ItemColumns.Insert, feed.Id, now);
        await using var update = Command(connection, transaction, ItemColumns.Update, feed.Id, now);
        var newestBefore = await ScalarAsync(connection, transaction, FeedItemSql.NewestId, feed.Id, ct);
        var added = 0;
        foreach (var row in items.OldestFirst())
        {
            budget.Spend();
            Bind(insert, row);
            if (await insert.ExecuteNonQueryAsync(ct) == 1)
            {
                added++;
                continue;
            }
            Bind(update, row);
            await update.ExecuteNonQueryAsync(ct);
        }
        if (added > 0)
        {
            await using var unread = connection.CreateCommand();
            unread.Transaction = transaction;
            unread.CommandText = FeedItemSql.MarkNewUnread;
            unread.Parameters.AddWithValue("@feedId", feed.Id);
            unread.Parameters.AddWithValue("@after", newestBefore);
            await unread.ExecuteNonQueryAsync(ct);
        }
        // What is left to allocate is the feed row's write and the commit.
        budget.Spend();
        return added;
    }

    private static async Task<long> ScalarAsync(
        DbConnection connection, DbTransaction transaction, string sql, long feedId, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("@feedId", feedId);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>A statement with the feed, the time and a parameter per item column, values bound per row.</summary>
    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, long feedId, DateTime now)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("@feedId", feedId);
        command.Parameters.AddWithValue("@now", now);
        foreach (var column in ItemColumns.All)
        {
            command.Parameters.AddWithValue(column.Parameter, null);
        }
        return command;
    }

    // The column parameters follow @feedId and @now, in the order of ItemColumns.All, as the spool's rows do.
    private static void Bind(DbCommand command, object?[] row)
    {
        for (var c = 0; c < row.Length; c++)
        {
            command.Parameters[c + 2].Value = row[c] ?? DBNull.Value;
        }
    }
}
