using App.Data;
using App.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>Folders in chromium: made on the folders page, filled from a feed's page, shown with their unread counts on the feeds list.</summary>
public abstract class FolderBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;

    public async Task InitializeAsync() => _web = await BrowserWeb.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task NewFolder_WithAFeedMovedIntoIt_IsShownOnTheFeedsListWithItsUnreadCount()
    {
        var harbour = await _web.AddFeedAsync("https://harbour.example/feed.xml", itemCount: 3, title: "Harbour notes");
        await _web.AddFeedAsync("https://garden.example/feed.xml", itemCount: 2, title: "Garden diary");
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "Folders", Exact = true }).ClickAsync();
        await page.GetByLabel("New folder").FillAsync("Coast");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add folder" }).ClickAsync();
        await Expect(page.Locator(".folders li")).ToHaveCountAsync(1);
        await Expect(page.Locator(".folders li")).ToContainTextAsync("0 feeds · 0 unread");

        await page.GotoAsync(_web.Url($"/feeds/{harbour.Id}"));
        await page.GetByLabel("Folder", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Coast" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Move", Exact = true }).ClickAsync();
        await Expect(page.GetByLabel("Folder", new() { Exact = true }).Locator("option:checked")).ToHaveTextAsync("Coast");

        await page.GotoAsync(_web.Url("/"));
        var coast = page.Locator("section.folder").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Coast" }) });
        await Expect(coast.Locator("h2 .badge-unread")).ToHaveTextAsync("3 unread");
        await Expect(coast.Locator(".feed-list li")).ToHaveCountAsync(1);
        await Expect(coast.Locator(".feed-list li")).ToContainTextAsync("Harbour notes");
        var loose = page.Locator("section.folder").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Not in a folder" }) });
        await Expect(loose.Locator(".feed-list li")).ToHaveCountAsync(1);
        await Expect(loose.Locator(".feed-list li")).ToContainTextAsync("Garden diary");

        // The folder's river: its feed's unread items only.
        await coast.GetByRole(AriaRole.Link, new() { Name = "Coast" }).ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync("Coast");
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-item] .item-feed")).ToHaveTextAsync(["Harbour notes", "Harbour notes", "Harbour notes"]);
        browser.AssertNoErrors();
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class FolderBrowserTestsOnSqlite(Chromium chromium) : FolderBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class FolderBrowserTestsOnPostgres(Chromium chromium) : FolderBrowserTests(chromium, DatabaseEngine.Postgres);
