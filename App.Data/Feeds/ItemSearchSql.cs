namespace App.Data.Feeds;

/// <summary>
/// The full-text index of items, "FeedItemSearch": an FTS5 table over FeedItems' Title and
/// ContentText (plain text, never HTML), external-content so the text is stored once, in
/// FeedItems. Triggers on FeedItems keep it in step with every writer (a refresh's insert and
/// update, a feed's delete cascading to its items, a retention purge) without any of them knowing.
/// </summary>
public static class ItemSearchSql
{
    /// <summary>
    /// The index, filled from the items stored so far. Diacritics fold (é finds e). Prefixes of 1,
    /// 2 and 3 characters are indexed as terms of their own: FTS5 answers a prefix it has not
    /// indexed by merging the doclists of every term that starts with it into one list before it
    /// returns the first row (250 to 1,100 ms for "s" or "su" over a million items), where an
    /// indexed prefix is read like a word, newest first, and stops at the page's end.
    /// </summary>
    public const string CreateTable = """
        CREATE VIRTUAL TABLE "FeedItemSearch" USING fts5(
            "Title", "ContentText",
            content='FeedItems', content_rowid='Id',
            tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');
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

    /// <summary>
    /// PostgreSQL's index: a stored generated <c>tsvector</c> column "Search" over the title and the
    /// text, GIN-indexed, outside the EF model as FeedItemSearch is on SQLite (no writer names it;
    /// the server computes it on every insert and update). The text search configuration
    /// "app_search" is 'simple' (no stemming, no stop words, as FTS5's unicode61) with accents
    /// removed by <c>unaccent</c> first, so é finds e as on SQLite. <c>unaccent</c> ships with
    /// PostgreSQL (Debian's postgresql-15 includes it) and is a trusted extension: the database's
    /// owner may create it.
    /// </summary>
    public const string PostgresCreate = """
        CREATE EXTENSION IF NOT EXISTS unaccent;
        CREATE TEXT SEARCH CONFIGURATION app_search (COPY = pg_catalog.simple);
        ALTER TEXT SEARCH CONFIGURATION app_search
            ALTER MAPPING FOR word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple;
        ALTER TABLE "FeedItems" ADD COLUMN "Search" tsvector GENERATED ALWAYS AS (
            to_tsvector('app_search', coalesce("Title", '') || ' ' || coalesce("ContentText", ''))) STORED;
        CREATE INDEX "IX_FeedItems_Search" ON "FeedItems" USING gin ("Search");
        """;

    /// <summary>Removes PostgreSQL's index, its column and its configuration (the extension stays: others may use it).</summary>
    public const string PostgresDrop = """
        DROP INDEX IF EXISTS "IX_FeedItems_Search";
        ALTER TABLE "FeedItems" DROP COLUMN IF EXISTS "Search";
        DROP TEXT SEARCH CONFIGURATION IF EXISTS app_search;
        """;
}
