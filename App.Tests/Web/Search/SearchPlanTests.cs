using App.Data.Accounts;
using App.Tests.Support;
using App.Web.Items;
using App.Web.Rivers;
using App.Web.Search;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Web.Search;

/// <summary>
/// A search finds its items through the full-text index (an FTS5 MATCH), alone or with the other
/// filters, and never reads FeedItems row by row to look for them. Without an unread or starred
/// filter the index leads the page in id order (newest first, from the cursor), so SQLite stops
/// at the page's end instead of collecting and sorting every match.
/// </summary>
public sealed class SearchPlanTests(ITestOutputHelper output)
{
    public static TheoryData<string, bool> Filters => new()
    {
        { "all", false },
        { "all", true },
        { "folder", false },
        { "folder", true },
        { "unread", false },
        { "starred", false },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Search_IsAnFtsMatch_WithoutAScanOfFeedItems(string filter, bool oldestFirst)
    {
        var plan = await PlanAsync(filter, oldestFirst);

        Assert.Contains(plan, step => step.Contains("FeedItemSearch VIRTUAL TABLE INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("VIRTUAL TABLE", StringComparison.Ordinal)
            && !step.Contains("INDEX", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("all", false)]
    [InlineData("all", true)]
    [InlineData("folder", false)]
    public async Task Search_WalksTheIndexInIdOrder_AndSortsNothing(string filter, bool oldestFirst)
    {
        var plan = await PlanAsync(filter, oldestFirst);

        // The page's ids come from the first step, the FTS5 table in rowid order with the cursor's range
        // (FTS5's index string names its ORDER BY and rowid constraints), each checked by primary key.
        Assert.StartsWith("SCAN FeedItemSearch VIRTUAL TABLE INDEX", plan.First(step => step.Contains("FeedItemSearch", StringComparison.Ordinal)));
        Assert.Contains(plan, step => step.Contains("FeedItemSearch VIRTUAL TABLE INDEX", StringComparison.Ordinal) && step.EndsWith(oldestFirst ? ">" : "<", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("unread")]
    [InlineData("starred")]
    public async Task SearchOfACommonWordAmongFewMarks_StartsFromTheMarks_AndAsksTheIndexAboutEach(string filter)
    {
        var plan = await PlanAsync(filter, oldestFirst: false, "datab", marks: ItemFilter.FewMarks, matches: ItemFilter.ManyMatches);

        // The page's ids come from the marks' key (user, item), newest first from the cursor; the
        // index is asked about one row at a time (FTS5's index string: a rowid equality and the MATCH).
        var marks = filter == "unread" ? "UnreadItems_1 (UserId=? AND ItemId<?)" : "StarredItems_1 (UserId=? AND ItemId<?)";
        Assert.True(plan.ToList().FindIndex(step => step.EndsWith(marks, StringComparison.Ordinal))
            < plan.ToList().FindIndex(step => step.Contains("FeedItemSearch", StringComparison.Ordinal)), string.Join('\n', plan));
        Assert.Contains(plan, step => step.Contains("FeedItemSearch VIRTUAL TABLE INDEX 0:=M", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SearchOfACommonWordAmongFewMarks_FindsTheMatchingMarks_NewestFirst_PastTheCursor()
    {
        using var temp = await TempDatabase.CreateAsync();
        var user = await temp.AddUserAsync("reader");
        var feed = await temp.AddFeedAsync("https://many.example/feed.xml");
        await using var db = temp.Open();
        await db.Database.ExecuteSqlAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ItemFilter.ManyMatches / 50 * 51})
            INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "ContentText", "CreatedAt")
            SELECT {feed.Id}, 'guid:' || i, 'Item ' || i, CASE WHEN i % 51 = 0 THEN 'other' ELSE 'datab' END, '2026-01-01 00:00:00' FROM n
            """);
        await temp.SubscribeAsync(user, feed.Id);
        await db.Database.ExecuteSqlRawAsync("""DELETE FROM "UnreadItems" WHERE "ItemId" % 499 <> 0 AND "ItemId" % 2550 <> 0""");
        var unread = await db.UnreadItems.Where(u => u.UserId == user).Select(u => u.ItemId).ToListAsync();
        var matching = await db.FeedItems.Where(i => unread.Contains(i.Id) && i.ContentText == "datab").Select(i => i.Id).OrderDescending().ToListAsync();
        Assert.InRange(unread.Count, matching.Count + 10, ItemFilter.FewMarks);
        var filter = new ItemFilter(Unread: true, Search: SearchQuery.Parse("datab"));

        var first = await filter.PageIds(db, user, cursor: null, oldestFirst: false, limit: 20).ToListAsync();
        var next = await filter.PageIds(db, user, cursor: first[^1], oldestFirst: false, limit: 1000).ToListAsync();

        Assert.Equal(matching.Take(20), first);
        Assert.Equal(matching.Skip(20), next);
    }

    // Many marks; a word in fewer items than ManyMatches; a prefix longer than the index keeps.
    [Theory]
    [InlineData("unread", "datab", ItemFilter.FewMarks + 1, ItemFilter.ManyMatches)]
    [InlineData("starred", "datab", ItemFilter.FewMarks + 1, ItemFilter.ManyMatches)]
    [InlineData("unread", "datab", 0, ItemFilter.ManyMatches - 1)]
    [InlineData("unread", "datab*", 0, ItemFilter.ManyMatches)]
    public async Task OtherSearchesAmongMarks_WalkTheIndexInIdOrder(string filter, string search, int marks, int matches)
    {
        var plan = await PlanAsync(filter, oldestFirst: false, search, marks, matches);

        Assert.StartsWith("SCAN FeedItemSearch VIRTUAL TABLE INDEX", plan.First(step => step.Contains("FeedItemSearch", StringComparison.Ordinal)));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<string>> PlanAsync(string filter, bool oldestFirst, string text = "datab", int marks = 0, int matches = 0)
    {
        using var temp = await TempDatabase.CreateAsync();
        await using var db = temp.Open();
        await MarkAsync(temp, filter, marks);
        if (matches > 0)
        {
            // Items of a feed nobody follows: the index counts them as matches all the same.
            var feed = await temp.AddFeedAsync("https://matches.example/feed.xml");
            await db.Database.ExecuteSqlAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {matches})
                INSERT INTO "FeedItems" ("FeedId", "Key", "Title", "ContentText", "CreatedAt")
                SELECT {feed.Id}, 'guid:' || i, 'Notes on datab', 'datab', '2026-01-01 00:00:00' FROM n
                """);
        }
        var search = SearchQuery.Parse(text);
        var itemFilter = filter switch
        {
            "unread" => new ItemFilter(Unread: true, Search: search),
            "starred" => new ItemFilter(Starred: true, Search: search),
            "folder" => new ItemFilter(FolderId: 1, Search: search),
            _ => new ItemFilter(Search: search),
        };

        var sql = RiverQueries.Page(db, 1, itemFilter, cursor: 1000, oldestFirst, 51).ToQueryString();
        var plan = QueryPlan.Of(temp, string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal))));

        output.WriteLine(sql);
        output.WriteLine(string.Join('\n', plan));
        return plan;
    }

    // User 1, with `count` items unread (or starred).
    private static async Task MarkAsync(TempDatabase temp, string filter, int count)
    {
        var user = await temp.AddUserAsync("reader");
        var feed = await temp.AddFeedAsync("https://marks.example/feed.xml", itemCount: count);
        await temp.SubscribeAsync(user, feed.Id);
        if (filter == "starred")
        {
            await using var db = temp.Open();
            db.StarredItems.AddRange(feed.Items.Select(i => new StarredItem { UserId = user, ItemId = i.Id, FeedId = feed.Id, StarredAt = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, user);
    }
}
