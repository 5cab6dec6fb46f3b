using App.Tests.Support;
using App.Web.Feeds;
using Xunit.Abstractions;

namespace App.Tests.Web.Feeds;

/// <summary>
/// A page of the feeds list (<c>/</c>, <c>GET /api/feeds</c>, the export's chunks) is a seek on the
/// user's subscriptions after a feed id, and each feed's counts are seeks on that feed's rows: no
/// step scans a table, and nothing is sorted, so a page costs the same whatever the user has.
/// </summary>
public sealed class FeedListPlanTests(ITestOutputHelper output) : DatabaseTest
{
    [Theory]
    [InlineData(null)]
    [InlineData(42L)]
    public void Page_SeeksTheSubscriptionsAfterAFeed_AndEachFeedsCounts(long? after)
    {
        using var db = Db.Open();
        var plan = QueryPlan.Of(Db, FeedQueries.PageQuery(db, userId: 1, after, FeedQueries.DefaultFeedLimit + 1));
        output.WriteLine(string.Join("\n", plan));

        // EF Core names the tables by aliases (s, f, u …): the indexes tell them apart.
        var subscriptions = after is null ? "(UserId=?)" : "(UserId=? AND FeedId>?)";
        Assert.Contains(plan, s => s.StartsWith("SEARCH", StringComparison.Ordinal) && s.EndsWith($"USING INDEX sqlite_autoindex_Subscriptions_1 {subscriptions}", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.StartsWith("SEARCH", StringComparison.Ordinal) && s.EndsWith("USING COVERING INDEX IX_FeedItems_FeedId_Id (FeedId=?)", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.StartsWith("SEARCH", StringComparison.Ordinal) && s.EndsWith("USING COVERING INDEX IX_UnreadItems_UserId_FeedId_ItemId (UserId=? AND FeedId=?)", StringComparison.Ordinal));
        // The only scan is of the page itself (the co-routine EF Core's subquery becomes), at most a page long.
        var coroutine = Assert.Single(plan, s => s.StartsWith("CO-ROUTINE", StringComparison.Ordinal))["CO-ROUTINE ".Length..];
        Assert.All(plan.Where(s => s.StartsWith("SCAN", StringComparison.Ordinal)), s => Assert.Equal($"SCAN {coroutine}", s));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Tech")]
    public void GroupedPage_SortsOnlyTheUsersSubscriptions_AndCountsThePageAlone(string? afterFolder)
    {
        using var db = Db.Open();
        var after = afterFolder is null ? null : new GroupedPosition(afterFolder, 42);
        var sql = FeedQueries.GroupedPageOf(db, userId: 1, after, FeedQueries.DefaultFeedLimit + 1);
        var plan = QueryPlan.Of(Db, sql);
        output.WriteLine(string.Join("\n", plan));

        // The list's order (folder name, feed id) has no index: the user's subscriptions are found by
        // user and sorted, a few thousand rows at most, and the page is taken from the sort.
        Assert.Contains(plan, s => s.StartsWith("SEARCH s USING", StringComparison.Ordinal) && s.EndsWith("(UserId=?)", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.StartsWith("SEARCH f USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal));
        Assert.Single(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.StartsWith("SCAN", StringComparison.Ordinal));
    }
}
