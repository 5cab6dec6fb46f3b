using App.Tests.Support;
using App.Web.Items;
using App.Web.Rivers;
using App.Web.Search;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Web.Search;

/// <summary>
/// A search finds its items through the full-text index (an FTS5 MATCH), alone or with the other
/// filters, and never reads FeedItems row by row to look for them.
/// </summary>
public sealed class SearchPlanTests(ITestOutputHelper output)
{
    public static TheoryData<string> Filters => ["all", "unread", "starred", "folder"];

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Search_IsAnFtsMatch_WithoutAScanOfFeedItems(string filter)
    {
        using var temp = await TempDatabase.CreateAsync();
        await using var db = temp.Open();
        var search = SearchQuery.Parse("datab");
        var itemFilter = filter switch
        {
            "unread" => new ItemFilter(Unread: true, Search: search),
            "starred" => new ItemFilter(Starred: true, Search: search),
            "folder" => new ItemFilter(FolderId: 1, Search: search),
            _ => new ItemFilter(Search: search),
        };

        var sql = RiverQueries.Page(db, 1, itemFilter, cursor: 1000, oldestFirst: false, 51).ToQueryString();
        var plan = QueryPlan.Of(temp, string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal))));

        output.WriteLine(string.Join('\n', plan));
        Assert.Contains(plan, step => step.Contains("FeedItemSearch VIRTUAL TABLE INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("VIRTUAL TABLE", StringComparison.Ordinal)
            && !step.Contains("INDEX", StringComparison.Ordinal));
    }
}
