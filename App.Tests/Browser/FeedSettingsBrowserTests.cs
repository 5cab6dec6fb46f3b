using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>A feed's settings page in chromium, opened from the feed's page: a message at a field out of bounds, then a saved change.</summary>
public abstract class FeedSettingsBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;
    private Feed _feed = null!;

    public async Task InitializeAsync()
    {
        _web = await BrowserWeb.StartAsync(engine: engine);
        _feed = await _web.AddFeedAsync("https://harbour.example/feed.xml", itemCount: 2, title: "Harbour notes");
    }

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task IntervalOutOfBounds_ShowsTheMessageAtTheField_ThenAValidIntervalAndDisabled_AreSaved()
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url($"/feeds/{_feed.Id}"));
        await Expect(page.Locator("[data-feed-disabled]")).ToHaveCountAsync(0);
        await page.Locator(".actions").GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await page.WaitForPageAsync(_web.Url($"/feeds/{_feed.Id}/settings"));
        var interval = page.GetByLabel("Refresh every (minutes)");
        var disabled = page.GetByRole(AriaRole.Checkbox, new() { Name = "Disabled" });

        await interval.FillAsync("5");
        await disabled.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.Locator("#interval-error")).ToHaveTextAsync(
            "The refresh interval is between 15 minutes and 24 hours (15–1440 minutes), not 5 minutes.");
        await Expect(interval).ToHaveValueAsync("5");
        Assert.EndsWith($"/feeds/{_feed.Id}/settings", page.Url);

        // Nothing of the refused form was stored.
        await page.GotoAsync(_web.Url($"/feeds/{_feed.Id}"));
        await Expect(page.Locator("[data-feed-disabled]")).ToHaveCountAsync(0);
        await page.GotoAsync(_web.Url($"/feeds/{_feed.Id}/settings"));
        await Expect(interval).ToHaveValueAsync("");

        await interval.FillAsync("30");
        await disabled.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await page.WaitForPageAsync(_web.Url($"/feeds/{_feed.Id}"));
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Settings saved.");
        await Expect(page.Locator("[data-feed-disabled]")).ToContainTextAsync("Disabled");
        await page.Locator(".actions").GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(interval).ToHaveValueAsync("30");
        await Expect(disabled).ToBeCheckedAsync();
        // The refused form came back as a 400, which chromium logs; nothing else went wrong.
        var error = Assert.Single(browser.Errors);
        Assert.Contains("status of 400 (Bad Request)", error);
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class FeedSettingsBrowserTestsOnSqlite(Chromium chromium) : FeedSettingsBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class FeedSettingsBrowserTestsOnPostgres(Chromium chromium) : FeedSettingsBrowserTests(chromium, DatabaseEngine.Postgres);
