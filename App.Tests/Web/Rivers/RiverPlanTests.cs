using App.Tests.Support;
using App.Web.Items;
using App.Web.Rivers;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Rivers;

/// <summary>
/// A river page must stay fast over a million items: its statement walks an index in id order and
/// stops after one page (no sort of every matching row), whatever the filter. App.Bench's
/// reader-rivers part times the same statements over 1,000,000 items.
/// </summary>
public sealed class RiverPlanTests
{
    public static TheoryData<string> Rivers => ["unread", "all", "starred", "folder", "folder-all", "unread-oldest", "all-oldest"];

    [Theory]
    [MemberData(nameof(Rivers))]
    public async Task RiverPage_WalksItemsInIdOrder_WithoutSortingThem(string river)
    {
        using var temp = await TempDatabase.CreateAsync();
        await using var db = temp.Open();
        var (filter, oldest) = river switch
        {
            "unread" => (new ItemFilter(Unread: true), false),
            "all" => (new ItemFilter(), false),
            "starred" => (new ItemFilter(Starred: true), false),
            "folder" => (new ItemFilter(Unread: true, FolderId: 1), false),
            "folder-all" => (new ItemFilter(FolderId: 1), false),
            "unread-oldest" => (new ItemFilter(Unread: true), true),
            _ => (new ItemFilter(), true),
        };

        var sql = RiverQueries.Page(db, 1, filter, cursor: 1000, oldest, 51).ToQueryString();
        var plan = QueryPlan.Of(temp, string.Join('\n', sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal))));

        // The one sort allowed is of the page's own rows (at most 51), after they were taken.
        Assert.DoesNotContain(plan.SkipLast(1), step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("INDEX", StringComparison.Ordinal));
    }
}
