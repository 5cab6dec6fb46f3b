namespace App.Data.Feeds;

/// <summary>
/// The full-text index of items, "FeedItemSearch": an FTS5 table over FeedItems' Title and
/// ContentText (plain text, never HTML), external-content so the text is stored once, in
/// FeedItems. Triggers on FeedItems keep it in step with every writer (a refresh's insert and
/// update, a feed's delete cascading to its items, a retention purge) without any of them knowing.
/// </summary>
public static class ItemSearchSql
{
    /// <summary>The index, filled from the items stored so far. Diacritics fold (é finds e).</summary>
    public const string CreateTable = """
        CREATE VIRTUAL TABLE "FeedItemSearch" USING fts5(
            "Title", "ContentText",
            content='FeedItems', content_rowid='Id',
            tokenize='unicode61 remove_diacritics 2');
        INSERT INTO "FeedItemSearch"("FeedItemSearch") VALUES ('rebuild');
        """;

    /// <summary>
    /// The triggers. An external-content index removes a row by being given the values it indexed,
    /// so delete and update pass the old row's; an update that leaves both columns as they were
    /// touches nothing. EF rebuilds a SQLite table (and drops its triggers) for some column changes:
    /// a migration that rebuilds FeedItems must run this again.
    /// </summary>
    public const string CreateTriggers = """
        CREATE TRIGGER "FeedItems_SearchInsert" AFTER INSERT ON "FeedItems" BEGIN
            INSERT INTO "FeedItemSearch"(rowid, "Title", "ContentText") VALUES (new."Id", new."Title", new."ContentText");
        END;
        CREATE TRIGGER "FeedItems_SearchDelete" AFTER DELETE ON "FeedItems" BEGIN
            INSERT INTO "FeedItemSearch"("FeedItemSearch", rowid, "Title", "ContentText") VALUES ('delete', old."Id", old."Title", old."ContentText");
        END;
        CREATE TRIGGER "FeedItems_SearchUpdate" AFTER UPDATE OF "Title", "ContentText" ON "FeedItems"
        WHEN old."Title" IS NOT new."Title" OR old."ContentText" IS NOT new."ContentText" BEGIN
            INSERT INTO "FeedItemSearch"("FeedItemSearch", rowid, "Title", "ContentText") VALUES ('delete', old."Id", old."Title", old."ContentText");
            INSERT INTO "FeedItemSearch"(rowid, "Title", "ContentText") VALUES (new."Id", new."Title", new."ContentText");
        END;
        """;

    /// <summary>Removes the index and its triggers.</summary>
    public const string Drop = """
        DROP TRIGGER IF EXISTS "FeedItems_SearchUpdate";
        DROP TRIGGER IF EXISTS "FeedItems_SearchDelete";
        DROP TRIGGER IF EXISTS "FeedItems_SearchInsert";
        DROP TABLE IF EXISTS "FeedItemSearch";
        """;
}
