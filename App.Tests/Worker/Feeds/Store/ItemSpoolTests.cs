using App.Worker.Feeds.Store;

namespace App.Tests.Worker.Feeds.Store;

public sealed class ItemSpoolTests
{
    private static StagedItem Item(int n, DateTime? publishedAt) => new(
        Key: $"key-{n}",
        Guid: $"urn:uuid:{n}",
        Title: $"Tïtle {n} — ünïcode",
        Link: $"https://example.com/{n}",
        Author: "Ada",
        PublishedAt: publishedAt,
        UpdatedAt: new DateTime(2026, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(n),
        Summary: "A summary",
        ContentHtml: "<p>" + new string('x', 70_000) + "</p>",
        Excerpt: "An excerpt",
        ContentText: new string('x', 70_000),
        EnclosureUrl: "https://cdn.example.com/a.mp3",
        EnclosureType: "audio/mpeg",
        EnclosureLength: 5_000_000_000L + n);

    private static List<object?[]> Rows(ItemSpool spool) => [.. spool.OldestFirst().Select(r => r.ToArray())];

    [Fact]
    public void AnItem_ComesBack_AsTheValuesTheStoreBinds_ColumnByColumn()
    {
        var item = Item(1, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        using var spool = new ItemSpool();

        spool.Add(item);

        var row = Assert.Single(Rows(spool));
        Assert.Equal(ItemColumns.All.Select(c => c.Value(item)), row);
        // Every column was filled, so none of them came back empty by accident.
        Assert.All(row, Assert.NotNull);
    }

    [Fact]
    public void MissingValues_ComeBackMissing()
    {
        var item = new StagedItem("only-a-key", null, null, null, null, null, null, null, null, null, null, null, null, null);
        using var spool = new ItemSpool();

        spool.Add(item);

        var row = Assert.Single(Rows(spool));
        Assert.Equal("only-a-key", row[0]);
        Assert.All(row.Skip(1), Assert.Null);
    }

    [Fact]
    public void WithDates_TheNewestAreKept_OldestFirst_TiesInReverseDocumentOrder()
    {
        var day = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using var spool = new ItemSpool(keep: 3);
        spool.Add(Item(1, day.AddDays(3)));
        spool.Add(Item(2, day.AddDays(1)));
        spool.Add(Item(3, day.AddDays(5)));
        spool.Add(Item(4, day.AddDays(3)));
        spool.Add(Item(5, day.AddDays(2)));

        Assert.Equal(["key-4", "key-1", "key-3"], Rows(spool).Select(r => r[0]));
        Assert.Equal(5, spool.Count);
    }

    [Fact]
    public void WithoutDates_TheFirstOfTheDocumentAreKept_AsFeedsListNewestFirst()
    {
        var day = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using var spool = new ItemSpool(keep: 2);
        spool.Add(Item(1, day));
        spool.Add(Item(2, null));
        spool.Add(Item(3, day));

        Assert.Equal(["key-2", "key-1"], Rows(spool).Select(r => r[0]));
    }

    [Fact]
    public void ItemsPastTheInMemoryLimit_MoveToAFile_AndEveryItemComesBackTheSame()
    {
        var day = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var items = Enumerable.Range(1, 5).Select(n => Item(n, day.AddDays(n))).ToList();
        using var spool = new ItemSpool();

        // Each item is ~140 KB spooled: the first stays in memory, the second passes the limit.
        spool.Add(items[0]);
        Assert.False(spool.OnDisk);
        foreach (var item in items.Skip(1))
        {
            spool.Add(item);
        }

        Assert.True(spool.OnDisk);
        var rows = Rows(spool);
        Assert.Equal(items.Count, rows.Count);
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(ItemColumns.All.Select(c => c.Value(items[i])), rows[i]);
        }
    }

    [Fact]
    public void AFeedOfSmallItems_StaysInMemory()
    {
        using var spool = new ItemSpool();

        for (var n = 0; n < 50; n++)
        {
            spool.Add(new StagedItem($"key-{n}", null, $"Title {n}", null, null, null, null, "<p>A summary</p>", null, "A summary", "A summary", null, null, null));
        }

        Assert.False(spool.OnDisk);
        Assert.Equal(50, Rows(spool).Count);
    }
}
