using System.Net;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Items;

public abstract class ItemPagesTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ItemPage_ShowsStoredContentRawAndTheOriginalLinkInANewTab_AndMarksTheItemRead()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 3, title: "Example");
        var middle = feed.Items.OrderBy(i => i.Id).ElementAt(1);

        var html = await _app.Client.GetStringAsync($"/items/{middle.Id}");

        Assert.Contains("<h1>Item 2</h1>", html);
        Assert.Contains("<div class=\"content\"><p>Body of <b>item 2</b></p></div>", html);
        Assert.Contains("<a href=\"https://example.com/items/2\" rel=\"noopener noreferrer\" target=\"_blank\" data-key=\"o\">Original article</a>", html);
        Assert.Contains("datetime=\"2026-01-01T02:00:00Z\"", html);
        Assert.Contains($"href=\"/feeds/{feed.Id}#item-{middle.Id}\"", html);
        Assert.Contains($"href=\"/items/{middle.Id + 1}\" rel=\"prev\"", html);
        Assert.Contains($"href=\"/items/{middle.Id - 1}\" rel=\"next\"", html);
        Assert.Contains("Mark as unread", html);
        await using var db = _app.Db.Open();
        var unread = await db.UnreadItems.Select(u => u.ItemId).ToListAsync();
        Assert.DoesNotContain(middle.Id, unread);
        Assert.Equal(2, unread.Count);
    }

    [Fact]
    public async Task ItemPage_StaysRead_WhenOpenedAgain()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);
        var id = feed.Items[0].Id;
        await _app.Client.GetStringAsync($"/items/{id}");

        var again = await _app.Client.GetStringAsync($"/items/{id}");

        Assert.Contains("Mark as unread", again);
        Assert.False(await _app.Db.IsUnreadAsync(await _app.AdminIdAsync(), id));
    }

    [Fact]
    public async Task ItemPage_Returns404_ForUnknownItem()
    {
        var response = await _app.Client.GetAsync("/items/4242");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ItemPage_LinksOnlyHttpAddresses()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);
        await using (var db = _app.Db.Open())
        {
            await db.FeedItems.ExecuteUpdateAsync(s => s.SetProperty(i => i.Link, "javascript:alert(1)"));
        }

        var html = await _app.Client.GetStringAsync($"/items/{feed.Items[0].Id}");

        Assert.DoesNotContain("javascript:", html);
        Assert.DoesNotContain("Original article", html);
    }

}

public sealed class ItemPagesTestsOnSqlite() : ItemPagesTests(DatabaseEngine.Sqlite);

public sealed class ItemPagesTestsOnPostgres() : ItemPagesTests(DatabaseEngine.Postgres);
