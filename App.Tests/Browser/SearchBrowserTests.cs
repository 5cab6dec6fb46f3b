using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>Search in chromium: the header's search box, its results page, and a search the index cannot read.</summary>
public abstract class SearchBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;
    private Feed _feed = null!;

    public async Task InitializeAsync()
    {
        _web = await BrowserWeb.StartAsync(engine: engine);
        _feed = await _web.AddFeedAsync("https://notes.example/feed.xml", itemCount: 3, title: "Field notes");
        string[] titles = ["Walking the estuary at low tide", "Mending the garden wall", "Birds of the estuary in winter"];
        await using var db = _web.Db.Open();
        for (var i = 0; i < titles.Length; i++)
        {
            var (id, title) = (_feed.Items[i].Id, titles[i]);
            await db.FeedItems.Where(item => item.Id == id).ExecuteUpdateAsync(s => s.SetProperty(item => item.Title, title));
        }
    }

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task HeaderSearchBox_ListsTheMatchingItems_AndNotTheOthers()
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        var box = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search items" });
        await box.FillAsync("estuar*");
        await page.WaitForURLAfterAsync(() => box.PressAsync("Enter"), _web.Url("/search?q=estuar*"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Search: estuar*");
        var titles = page.Locator("[data-item] .item-title");
        await Expect(titles).ToHaveCountAsync(2);
        Assert.Equal(
            ["Birds of the estuary in winter", "Walking the estuary at low tide"],
            (await titles.AllInnerTextsAsync()).Order());
        await Expect(page.GetByText("Mending the garden wall")).ToHaveCountAsync(0);
        // The box keeps the search, to refine it.
        await Expect(box).ToHaveValueAsync("estuar*");
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task SearchTheIndexCannotRead_ShowsWhy_OnTheSearchPage()
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        var box = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search items" });
        await box.FillAsync("estuary OR");
        await box.PressAsync("Enter");

        await Expect(page.Locator("[data-search-error]")).ToContainTextAsync("The search could not be read near");
        await Expect(page.Locator("[data-search-error]")).ToContainTextAsync("AND, OR and NOT need a word on each side");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Search: estuary OR");
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(0);
        await Expect(box).ToHaveValueAsync("estuary OR");
        browser.AssertNoErrors();
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class SearchBrowserTestsOnSqlite(Chromium chromium) : SearchBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class SearchBrowserTestsOnPostgres(Chromium chromium) : SearchBrowserTests(chromium, DatabaseEngine.Postgres);
