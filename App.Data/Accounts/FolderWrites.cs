using System.Data;
using App.Data.Writes;

namespace App.Data.Accounts;

/// <summary>
/// A user's folders, written as prepared statements inside a write transaction of the process's
/// <see cref="WriteLane"/>: find-or-add by name (OPML import, Google Reader labels), add, rename,
/// delete (the feeds stay, in no folder), and moving a subscription into one. Every statement is
/// scoped by the user, so another user's folder or feed is never touched.
/// </summary>
public static class FolderWrites
{
    private const string FindSql = """
        SELECT "Id" FROM "Folders" WHERE "UserId" = @userId AND "Name" = @name
        """;

    private const string InsertSql = """
        INSERT INTO "Folders" ("UserId", "Name", "CreatedAt") VALUES (@userId, @name, @now) RETURNING "Id"
        """;

    private const string RenameSql = """
        UPDATE "Folders" SET "Name" = @name WHERE "Id" = @id AND "UserId" = @userId
        """;

    private const string DeleteSql = """
        DELETE FROM "Folders" WHERE "Id" = @id AND "UserId" = @userId
        """;

    // The folder must be the user's own: a foreign id moves nothing.
    private const string MoveSql = """
        UPDATE "Subscriptions" SET "FolderId" = @folderId
        WHERE "UserId" = @userId AND "FeedId" = @feedId
          AND (@folderId IS NULL OR EXISTS (SELECT 1 FROM "Folders" WHERE "Id" = @folderId AND "UserId" = @userId))
        """;

    /// <summary>The user's folder named <paramref name="name"/> (in any letter case), if any.</summary>
    public static long? Find(WriteConnection connection, long userId, string name)
    {
        var find = connection.Statement(FindSql);
        find.Parameters.AddWithValue("@userId", userId);
        find.Parameters.AddWithValue("@name", name);
        return find.ExecuteScalar() is long id ? id : null;
    }

    /// <summary>A new folder; the caller has checked that the name is free (<see cref="Find"/>).</summary>
    public static long Add(WriteConnection connection, long userId, string name, DateTime now)
    {
        var insert = connection.Statement(InsertSql);
        insert.Parameters.AddWithValue("@userId", userId);
        insert.Parameters.AddWithValue("@name", name);
        insert.Parameters.AddWithValue("@now", now);
        return (long)insert.ExecuteScalar()!;
    }

    /// <summary>The user's folder named <paramref name="name"/>, added when there is none.</summary>
    public static long FindOrAdd(WriteConnection connection, long userId, string name, DateTime now) =>
        Find(connection, userId, name) ?? Add(connection, userId, name, now);

    /// <summary>False when the user has no folder <paramref name="id"/>; a name another folder has is refused by the unique index.</summary>
    public static bool Rename(WriteConnection connection, long userId, long id, string name)
    {
        var rename = connection.Statement(RenameSql);
        rename.Parameters.AddWithValue("@id", id);
        rename.Parameters.AddWithValue("@userId", userId);
        rename.Parameters.AddWithValue("@name", name);
        return rename.ExecuteNonQuery() == 1;
    }

    /// <summary>Deletes the folder; its feeds stay subscribed, in no folder (the foreign key sets null). False when there is no such folder of the user.</summary>
    public static bool Delete(WriteConnection connection, long userId, long id)
    {
        var delete = connection.Statement(DeleteSql);
        delete.Parameters.AddWithValue("@id", id);
        delete.Parameters.AddWithValue("@userId", userId);
        return delete.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Puts the user's subscription to <paramref name="feedId"/> in folder <paramref name="folderId"/>
    /// (null: in none). False when the user does not subscribe to the feed or has no such folder.
    /// </summary>
    public static bool Move(WriteConnection connection, long userId, long feedId, long? folderId)
    {
        var move = connection.Statement(MoveSql);
        move.Parameters.AddWithValue("@userId", userId);
        move.Parameters.AddWithValue("@feedId", feedId);
        // Typed: PostgreSQL infers no type for a NULL that is only tested with IS NULL.
        move.Parameters.AddWithValue("@folderId", (object?)folderId ?? DBNull.Value).DbType = DbType.Int64;
        return move.ExecuteNonQuery() == 1;
    }
}
