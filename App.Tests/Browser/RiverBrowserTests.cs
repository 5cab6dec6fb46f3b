using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>Folders, stars and rivers through the pages, in chromium.</summary>
public abstract class RiverBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;

    public async Task InitializeAsync() => _web = await BrowserWeb.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Folders_AreMadeOnTheirPage_AFeedIsMovedFromItsPage_AndTheListGroupsIt()
    {
        var feed = await _web.AddFeedAsync("https://news.example/feed.xml", 3, "News", DateTime.UtcNow);
        await _web.AddFeedAsync("https://blog.example/feed.xml", 2, "Blog", DateTime.UtcNow);
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "Folders" }).First.ClickAsync();
        await page.GetByLabel("New folder").FillAsync("Tech");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add folder" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Added “Tech”");
        await page.GetByLabel("New folder").FillAsync("tech");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add folder" }).ClickAsync();
        await Expect(page.Locator("#folder-error")).ToContainTextAsync("already");

        await page.GotoAsync(_web.Url($"/feeds/{feed.Id}"));
        await page.GetByLabel("Folder", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Tech" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Move" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Moved.");

        await page.GotoAsync(_web.Url("/"));
        var folder = page.Locator("section.folder[data-folder-id]");
        await Expect(folder.Locator("h2")).ToContainTextAsync("Tech");
        await Expect(folder.Locator("h2 .badge-unread")).ToHaveTextAsync("3 unread");
        await Expect(folder.Locator(".feed-title")).ToHaveTextAsync("News");
        await Expect(page.Locator(".rivers a").First).ToHaveTextAsync("All unread (5)");

        // The folder's river holds the folder's feed only.
        await folder.Locator("h2 a").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Tech");
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-item] .item-feed").First).ToHaveTextAsync("News");
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task River_MergesFeedsNewestFirst_KeysMoveOpenMarkAndStar_AndMarkAllReadStopsAtTheNewestShown()
    {
        var news = await _web.AddFeedAsync("https://news.example/feed.xml", 2, "News", DateTime.UtcNow);
        var blog = await _web.AddFeedAsync("https://blog.example/feed.xml", 2, "Blog", DateTime.UtcNow);
        var ids = news.Items.Concat(blog.Items).Select(i => i.Id).OrderDescending().ToArray();
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;

        // "All unread" is the home page's first link.
        var first = page.Locator("main a").First;
        await Expect(first).ToHaveAttributeAsync("href", "/unread");
        await first.ClickAsync();
        await page.WaitForPageAsync(_web.Url("/unread"));
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(4);
        Assert.Equal(ids.Select(id => $"item-{id}"), await page.Locator("[data-item]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)"));
        await Expect(page.Locator("[data-item] .item-feed").First).ToHaveTextAsync("Blog");

        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await Expect(page.Locator("[data-item].selected")).ToHaveAttributeAsync("id", $"item-{ids[1]}");
        await page.Keyboard.PressAsync("s");
        await Expect(page.Locator($"#item-{ids[1]} form[data-star-toggle]")).ToHaveAttributeAsync("data-starred", "true");
        await page.Keyboard.PressAsync("m");
        await Expect(page.Locator($"#item-{ids[1]}")).ToHaveAttributeAsync("data-read", "true");
        await Expect(page.Locator("[data-unread-count]")).ToHaveTextAsync("3 unread");

        // Opening an item marks it read, and "u" comes back to the river.
        await page.Keyboard.PressAsync("j");
        await page.WaitForURLAfterAsync(() => page.Keyboard.PressAsync("o"), new System.Text.RegularExpressions.Regex($"/items/{ids[2]}"));
        Assert.False(await IsUnreadAsync(ids[2]));
        await Expect(page.Locator("[data-key='u']")).ToHaveAttributeAsync("href", $"/unread#item-{ids[2]}");
        await page.WaitForURLAfterAsync(() => page.Keyboard.PressAsync("u"), _web.Url($"/unread#item-{ids[2]}"));

        // A new item arrives after the page was shown: "mark all as read" leaves it unread.
        await using (var db = _web.Db.Open())
        {
            db.FeedItems.Add(new FeedItem { FeedId = news.Id, Key = "late", Title = "Late", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            var late = await db.FeedItems.Where(i => i.Key == "late").Select(i => i.Id).SingleAsync();
            await db.Database.ExecuteSqlInterpolatedAsync($"""INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId") SELECT "UserId", {late}, "FeedId" FROM "Subscriptions" WHERE "FeedId" = {news.Id}""");
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();
        await Expect(page.Locator("[data-item][data-read='false']")).ToHaveCountAsync(0);
        await using (var db = _web.Db.Open())
        {
            Assert.Equal(["late"], await db.UnreadItems.Join(db.FeedItems, u => u.ItemId, i => i.Id, (_, i) => i.Key).ToListAsync());
        }

        // The star shows on the Starred page; unstarring there takes it off.
        await page.GotoAsync(_web.Url("/starred"));
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-item]")).ToHaveAttributeAsync("id", $"item-{ids[1]}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Unstar" }).ClickAsync();
        await Expect(page.Locator("form[data-star-toggle]")).ToHaveAttributeAsync("data-starred", "false");
        await page.ReloadAsync();
        await Expect(page.Locator(".empty")).ToContainTextAsync("No starred items");

        // All, oldest first.
        await page.GotoAsync(_web.Url("/all"));
        await page.Locator("a[data-order]").ClickAsync();
        await Expect(page.Locator("[data-item]").First).ToHaveAttributeAsync("id", $"item-{ids[^1]}");
        browser.AssertNoErrors();
    }

    private async Task<bool> IsUnreadAsync(long id)
    {
        await using var db = _web.Db.Open();
        return await db.UnreadItems.AnyAsync(u => u.ItemId == id);
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class RiverBrowserTestsOnSqlite(Chromium chromium) : RiverBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class RiverBrowserTestsOnPostgres(Chromium chromium) : RiverBrowserTests(chromium, DatabaseEngine.Postgres);
