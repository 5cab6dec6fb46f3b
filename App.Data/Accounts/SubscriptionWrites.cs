using App.Data.Writes;

namespace App.Data.Accounts;

/// <summary>
/// The writes that subscribe and unsubscribe, as prepared statements inside a write transaction of
/// the process's <see cref="WriteLane"/>: find-or-add a feed by address, subscribe a user
/// (their unread marks for the feed's items come with it), unsubscribe (the last one out takes
/// the feed, its items and its jobs along), and delete a user. Used by the API's group commit,
/// the add form, OPML import and the account pages alike.
/// </summary>
public static class SubscriptionWrites
{
    // A feed found through its web page, or moved permanently, is also known by the address it was
    // added with; the feed's own address wins should both match.
    private const string FindFeedSql = """
        SELECT "Id" FROM "Feeds" WHERE "Url" = @url OR "AddedUrl" = @url ORDER BY "Url" = @url DESC LIMIT 1
        """;

    private const string InsertFeedSql = """
        INSERT INTO "Feeds" ("Url", "Title", "SiteUrl", "CreatedAt", "ConsecutiveFailures")
        VALUES (@url, @title, @siteUrl, @now, 0) RETURNING "Id"
        """;

    private const string SubscribeSql = """
        INSERT INTO "Subscriptions" ("UserId", "FeedId", "Title", "CreatedAt") VALUES (@userId, @feedId, @title, @now)
        ON CONFLICT DO NOTHING
        """;

    // A new subscriber finds the feed's items unread, as if they had arrived for them.
    private const string MarkAllUnreadSql = """
        INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId")
        SELECT @userId, "Id", "FeedId" FROM "FeedItems" WHERE "FeedId" = @feedId
        """;

    private const string UnsubscribeSql = """
        DELETE FROM "Subscriptions" WHERE "UserId" = @userId AND "FeedId" = @feedId
        """;

    // Feeds nobody subscribes to any more go, and with them (foreign keys) items, icons and jobs;
    // a job running meanwhile then finds its lease gone and stores nothing.
    private const string DeleteOrphanSql = """
        DELETE FROM "Feeds" WHERE "Id" = @feedId AND NOT EXISTS (SELECT 1 FROM "Subscriptions" WHERE "FeedId" = @feedId)
        """;

    private const string FeedsOfUserSql = """
        SELECT "FeedId" FROM "Subscriptions" WHERE "UserId" = @userId
        """;

    private const string DeleteUserSql = """
        DELETE FROM "Users" WHERE "Id" = @userId
        """;

    /// <summary>The feed known by <paramref name="url"/> (its address, or the one it was added with), if any.</summary>
    public static long? FindFeed(WriteConnection connection, string url)
    {
        var find = connection.Statement(FindFeedSql);
        find.Parameters.AddWithValue("@url", url);
        return find.ExecuteScalar() is long id ? id : null;
    }

    /// <summary>A new feed row (not fetched yet); <paramref name="title"/> shows until the first fetch brings the feed's own.</summary>
    public static long AddFeed(WriteConnection connection, string url, DateTime now, string? title = null, string? siteUrl = null)
    {
        var insert = connection.Statement(InsertFeedSql);
        insert.Parameters.AddWithValue("@url", url);
        insert.Parameters.AddWithValue("@title", (object?)title ?? DBNull.Value);
        insert.Parameters.AddWithValue("@siteUrl", (object?)siteUrl ?? DBNull.Value);
        insert.Parameters.AddWithValue("@now", now);
        return (long)insert.ExecuteScalar()!;
    }

    /// <summary>
    /// Subscribes the user to the feed, with its items unread for them. False when they already
    /// subscribe (nothing changes then).
    /// </summary>
    public static bool Subscribe(WriteConnection connection, long userId, long feedId, DateTime now, string? title = null)
    {
        var subscribe = connection.Statement(SubscribeSql);
        subscribe.Parameters.AddWithValue("@userId", userId);
        subscribe.Parameters.AddWithValue("@feedId", feedId);
        subscribe.Parameters.AddWithValue("@title", (object?)title ?? DBNull.Value);
        subscribe.Parameters.AddWithValue("@now", now);
        if (subscribe.ExecuteNonQuery() == 0)
        {
            return false;
        }
        var unread = connection.Statement(MarkAllUnreadSql);
        unread.Parameters.AddWithValue("@userId", userId);
        unread.Parameters.AddWithValue("@feedId", feedId);
        unread.ExecuteNonQuery();
        return true;
    }

    /// <summary>
    /// Ends the user's subscription (their read marks and stars for the feed go with it); when
    /// nobody else subscribes, the feed goes too. False when they did not subscribe.
    /// </summary>
    public static bool Unsubscribe(WriteConnection connection, long userId, long feedId)
    {
        var unsubscribe = connection.Statement(UnsubscribeSql);
        unsubscribe.Parameters.AddWithValue("@userId", userId);
        unsubscribe.Parameters.AddWithValue("@feedId", feedId);
        if (unsubscribe.ExecuteNonQuery() == 0)
        {
            return false;
        }
        DeleteIfOrphan(connection, feedId);
        return true;
    }

    /// <summary>Deletes the user and all that is theirs; feeds only they subscribed to go too. False when there is no such user.</summary>
    public static bool DeleteUser(WriteConnection connection, long userId)
    {
        var feeds = connection.Statement(FeedsOfUserSql);
        feeds.Parameters.AddWithValue("@userId", userId);
        var feedIds = new List<long>();
        using (var reader = feeds.ExecuteReader())
        {
            while (reader.Read())
            {
                feedIds.Add(reader.GetInt64(0));
            }
        }
        var delete = connection.Statement(DeleteUserSql);
        delete.Parameters.AddWithValue("@userId", userId);
        if (delete.ExecuteNonQuery() == 0)
        {
            return false;
        }
        foreach (var feedId in feedIds)
        {
            DeleteIfOrphan(connection, feedId);
        }
        return true;
    }

    private static void DeleteIfOrphan(WriteConnection connection, long feedId)
    {
        var orphan = connection.Statement(DeleteOrphanSql);
        orphan.Parameters.AddWithValue("@feedId", feedId);
        orphan.ExecuteNonQuery();
    }
}
