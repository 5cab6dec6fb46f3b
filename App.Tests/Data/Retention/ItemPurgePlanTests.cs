using App.Data;
using App.Data.Retention;
using App.Tests.Support;
using Xunit.Abstractions;

namespace App.Tests.Data.Retention;

/// <summary>
/// The purge's statements run under the write lock once per chunk: each reaches the items through
/// an index on one feed's range (or the ids it was given), never by a scan of the items table.
/// </summary>
public sealed class ItemPurgePlanTests(ITestOutputHelper output) : DatabaseTest
{
    [Fact]
    public void Candidates_SeekOneFeedsRange_AndItsMarksByIndex_WithoutAScanOrASort()
    {
        var plan = QueryPlan.Of(Db, ItemPurgeSql.Candidates);
        output.WriteLine(string.Join("\n", plan));

        Assert.Contains(plan, s => s.StartsWith("SEARCH i USING", StringComparison.Ordinal) && s.Contains("IX_FeedItems_FeedId_Id", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.StartsWith("SEARCH k USING", StringComparison.Ordinal) && s.Contains("IX_FeedItems_FeedId_Id", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.StartsWith("SEARCH s USING", StringComparison.Ordinal) && s.Contains("IX_StarredItems_ItemId", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.StartsWith("SEARCH u USING", StringComparison.Ordinal) && s.Contains("IX_UnreadItems_ItemId", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.StartsWith("SCAN", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public void Delete_FindsItsItemsByPrimaryKey()
    {
        var plan = QueryPlan.Of(Db, ItemPurgeSql.Delete(DatabaseEngine.Sqlite));
        output.WriteLine(string.Join("\n", plan));

        Assert.Contains(plan, s => s.Contains("FeedItems USING INTEGER PRIMARY KEY", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, s => s.StartsWith("SCAN FeedItems", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("UnreadItems", "IX_UnreadItems_ItemId")]
    [InlineData("StarredItems", "IX_StarredItems_ItemId")]
    public void TheCascadeFromADeletedItem_FindsItsMarksByIndex(string table, string index)
    {
        // SQLite plans a foreign key's cascade as this lookup; without the index each deleted item would scan the marks.
        var plan = QueryPlan.Of(Db, $"""DELETE FROM "{table}" WHERE "ItemId" = 1""");
        output.WriteLine(string.Join("\n", plan));

        Assert.Contains(plan, s => s.Contains(index, StringComparison.Ordinal));
    }
}
