using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Web.Search;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>
/// Which of a user's items a river or <c>GET /api/items</c> holds: all of their feeds' items, or
/// only those unread or starred (or not), of one folder when given. Unfiltered by paging: callers
/// order by id and seek past their cursor. <see cref="Search"/> keeps the items whose title or
/// text it matches, through the engine's full-text index.
/// </summary>
public sealed record ItemFilter(bool? Unread = null, bool? Starred = null, long? FolderId = null, SearchQuery? Search = null)
{
    public IQueryable<FeedItem> Items(AppDbContext db, long userId)
    {
        var items = WithoutSearch(db, userId);
        if (Matches(db) is { } matches)
        {
            items = items.Where(i => matches.Contains(i.Id));
        }
        return items;
    }

    // Every filter but the search.
    private IQueryable<FeedItem> WithoutSearch(AppDbContext db, long userId)
    {
        // The unread (or starred) rows lead when asked for: they are few, and their key is (user, item),
        // so the river walks them newest first and joins each to its item.
        IQueryable<FeedItem> items = Unread == true
            ? db.UnreadOf(userId).Join(db.FeedItems, u => u.ItemId, i => i.Id, (_, i) => i)
            : Starred == true
                ? db.StarredOf(userId).Join(db.FeedItems, s => s.ItemId, i => i.Id, (_, i) => i)
                : db.ItemsOf(userId);
        if (Unread is { } u)
        {
            items = items.Where(i => db.UnreadItems.Any(x => x.UserId == userId && x.ItemId == i.Id) == u);
        }
        if (Starred is { } s)
        {
            items = items.Where(i => db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id) == s);
        }
        if (FolderId is { } folderId)
        {
            items = items.Where(i => db.Subscriptions.Any(x => x.UserId == userId && x.FolderId == folderId && x.FeedId == i.FeedId));
        }
        return items;
    }

    /// <summary>
    /// At most this many unread (or starred) rows, a search among them may start from the rows and
    /// ask the index about each (see <see cref="PageIds"/>).
    /// </summary>
    public const int FewMarks = 500;

    /// <summary>A search matching fewer items than this is led by the index whatever the filters: reading all its matches is cheap.</summary>
    public const int ManyMatches = 50_000;

    /// <summary>
    /// The ids of one page past <paramref name="cursor"/>, in the page's order. Unread and starred
    /// pages are taken from the user's mark rows in their own key order (user, item): ordered by
    /// the item's id after a join, SQLite would sort every matching row before taking a page.
    /// </summary>
    /// <remarks>
    /// A search on SQLite is led by the FTS5 index in id order, which stops when the page is full.
    /// Among a reader's unread (or starred) rows that is slow in one case: a search matching many
    /// items (<see cref="ManyMatches"/> or more) and a reader with few marks (<see cref="FewMarks"/>
    /// at most), where the index would read most of its matches before it found a page among the
    /// marks (a word in every item of a million: 260 ms). Then the marks lead and the index is asked
    /// about each: cheap for a word with that many matches (about 50 µs a mark on the bench's
    /// million items) and not for a rarer one (300 µs and more for a word in 10,000 items), whose
    /// matches the index reads in a few ms anyway. Knowing whether there are that many costs a
    /// count of at most ManyMatches rows of the index (about 5 ms). Never with a prefix longer than
    /// the index keeps: FTS5 would merge that prefix's words once per mark. PostgreSQL's planner
    /// weighs the plans itself.
    /// </remarks>
    public IQueryable<long> PageIds(AppDbContext db, long userId, long? cursor, bool oldestFirst, int limit)
    {
        if (Search is not null && db.Engine == DatabaseEngine.Sqlite && !MarksLeadSearch(db, userId))
        {
            return IndexLedPageIds(db, userId, cursor, oldestFirst, limit);
        }
        IQueryable<long> ids;
        if (Unread == true)
        {
            var marks = db.UnreadOf(userId);
            if (FolderId is { } folderId)
            {
                marks = marks.Where(u => db.Subscriptions.Any(x => x.UserId == userId && x.FolderId == folderId && x.FeedId == u.FeedId));
            }
            if (Starred is { } s)
            {
                marks = marks.Where(u => db.StarredItems.Any(x => x.UserId == userId && x.ItemId == u.ItemId) == s);
            }
            if (Found(db) is { } found)
            {
                marks = marks.Where(u => found.Any(m => m.Id == u.ItemId));
            }
            ids = marks.Select(u => u.ItemId);
        }
        else if (Starred == true)
        {
            var stars = db.StarredOf(userId);
            if (FolderId is { } folderId)
            {
                stars = stars.Where(u => db.Subscriptions.Any(x => x.UserId == userId && x.FolderId == folderId && x.FeedId == u.FeedId));
            }
            if (Unread is { } u)
            {
                stars = stars.Where(x => db.UnreadItems.Any(y => y.UserId == userId && y.ItemId == x.ItemId) == u);
            }
            if (Found(db) is { } found)
            {
                stars = stars.Where(x => found.Any(m => m.Id == x.ItemId));
            }
            ids = stars.Select(x => x.ItemId);
        }
        else if (Search is not null)
        {
            return IndexLedPageIds(db, userId, cursor, oldestFirst, limit);
        }
        else
        {
            ids = Items(db, userId).Select(i => i.Id);
        }
        if (cursor is { } c)
        {
            ids = oldestFirst ? ids.Where(id => id > c) : ids.Where(id => id < c);
        }
        return (oldestFirst ? ids.Order() : ids.OrderDescending()).Take(limit);
    }

    // Whether a search among the reader's unread (or starred) rows starts from the rows (see PageIds).
    private bool MarksLeadSearch(AppDbContext db, long userId)
    {
        var marks = Unread == true ? db.UnreadOf(userId).Select(u => u.ItemId)
            : Starred == true ? db.StarredOf(userId).Select(s => s.ItemId)
            : null;
        return marks is not null && !Search!.HasLongPrefix
            && marks.Take(FewMarks + 1).Count() <= FewMarks
            && Found(db)!.Take(ManyMatches).Count() == ManyMatches;
    }

    // The index leads, in id order: SQLite's FTS5 walks its doclists newest first (it takes the
    // ORDER BY rowid and the cursor's range) and stops when the page is full, where an IN list of
    // the matches would read every match, a million for a word in every item. Each match is then
    // checked against the reader's feeds (and folder, and marks).
    // (The id is a column of a row type: ordered as a bare scalar, EF's SQLite provider would
    // write ORDER BY CAST(... AS INTEGER), which FTS5 cannot take, and sort every match.)
    private IQueryable<long> IndexLedPageIds(AppDbContext db, long userId, long? cursor, bool oldestFirst, int limit)
    {
        var items = WithoutSearch(db, userId);
        var found = Found(db)!.Where(m => items.Any(i => i.Id == m.Id));
        if (cursor is { } after)
        {
            found = oldestFirst ? found.Where(m => m.Id > after) : found.Where(m => m.Id < after);
        }
        return (oldestFirst ? found.OrderBy(m => m.Id) : found.OrderByDescending(m => m.Id)).Select(m => m.Id).Take(limit);
    }

    /// <summary>
    /// The ids of the items whose title or text <see cref="Search"/> matches, from the engine's
    /// full-text index (an FTS5 MATCH on SQLite, the GIN-indexed <c>tsvector</c> on PostgreSQL;
    /// see <see cref="ItemSearchSql"/>); null when there is no search. A search with an
    /// <see cref="SearchQuery.Error"/> must not get here.
    /// </summary>
    public IQueryable<long>? Matches(AppDbContext db) => Found(db)?.Select(m => m.Id);

    private IQueryable<SearchMatch>? Found(AppDbContext db) => Search switch
    {
        null => null,
        _ when db.Engine == DatabaseEngine.Postgres => db.Database.SqlQuery<SearchMatch>(
            $"""SELECT "Id" FROM "FeedItems" WHERE "Search" @@ to_tsquery('app_search', {Search.ToTsQuery()})"""),
        _ => db.Database.SqlQuery<SearchMatch>($"""SELECT rowid AS "Id" FROM "FeedItemSearch" WHERE "FeedItemSearch" MATCH {Search.ToFts5()}"""),
    };

    /// <summary>A row of the full-text index: the id of an item it matches.</summary>
    internal sealed class SearchMatch
    {
        public long Id { get; init; }
    }

    /// <summary>The items of one page (see <see cref="PageIds"/>), in the page's order.</summary>
    public IQueryable<FeedItem> Page(AppDbContext db, long userId, long? cursor, bool oldestFirst, int limit)
    {
        var ids = PageIds(db, userId, cursor, oldestFirst, limit);
        var items = db.FeedItems.Where(i => ids.Contains(i.Id));
        return oldestFirst ? items.OrderBy(i => i.Id) : items.OrderByDescending(i => i.Id);
    }
}
