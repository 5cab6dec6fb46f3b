using System.Text.RegularExpressions;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>The reader's flows in chromium: the web on Kestrel, feeds from a local origin, a real worker process.</summary>
public abstract partial class ReaderBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;
    private FeedServer _feeds = null!;

    public async Task InitializeAsync()
    {
        _web = await BrowserWeb.StartAsync(engine: engine);
        _feeds = await FeedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        await _feeds.DisposeAsync();
    }

    [Fact]
    public async Task AddFeed_ShowsQueuedThenFetchingThenTheItems()
    {
        // A slow origin keeps the fetch visible for a moment.
        _feeds.Map("/feed.xml", async (context, _) =>
        {
            await Task.Delay(1500);
            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync(FeedSamples.Rss(3, "Slow news"));
        });
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/"));

        await page.GetByLabel("Feed address").FillAsync(_feeds.Url("/feed.xml").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();

        var progress = page.Locator("[data-job-progress]");
        var step = progress.Locator("[data-field=step]");
        await Expect(progress).ToBeVisibleAsync();
        // No worker yet: the job waits in the queue, and the page says so.
        await Expect(step).ToHaveTextAsync("Queued");
        await Expect(progress).ToContainTextAsync("Waiting for a worker");
        await _web.StartWorkerAsync();
        await Expect(step).ToHaveTextAsync("Fetching", new() { Timeout = 30_000 });
        await page.WaitForPageAsync(new Regex(@"/feeds/\d+$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Slow news");
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-item] .item-title").First).ToHaveTextAsync("Item 3");
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task AddFeed_WithABadAddress_ShowsTheMessageAtTheFieldWithoutAReload()
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/"));
        await page.EvaluateAsync("window.__samePage = true");

        await page.GetByLabel("Feed address").FillAsync("not a url");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();

        await Expect(page.Locator("#address-error")).ToContainTextAsync("absolute http or https address");
        await Expect(page.GetByLabel("Feed address")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.True(await page.EvaluateAsync<bool>("window.__samePage === true"), "the page reloaded");
        await using var db = _web.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        // The refusal is a 400, which chromium logs; nothing else may be.
        Assert.All(browser.Errors, e => Assert.Contains("status of 400", e));
    }

    [Fact]
    public async Task FailingFeed_ShowsItsErrorAndARetryButton_ThenTheErrorOnTheListAndTheFeedPage()
    {
        _feeds.Map("/gone.xml", (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await _web.StartWorkerAsync();
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/"));

        await page.GetByLabel("Feed address").FillAsync(_feeds.Url("/gone.xml").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();

        var progress = page.Locator("[data-job-progress]");
        await Expect(progress.Locator("[data-field=step]")).ToHaveTextAsync("Failed", new() { Timeout = 30_000 });
        await Expect(progress.Locator("[data-field=error]")).ToContainTextAsync("404");
        var retry = progress.GetByRole(AriaRole.Button, new() { Name = "Retry" });
        await Expect(retry).ToBeVisibleAsync();

        // Retry runs the fetch again, in place.
        await retry.ClickAsync();
        await Eventually.TrueAsync(() => Task.FromResult(_feeds.Hits("/gone.xml") >= 2), TimeSpan.FromSeconds(30), "a second fetch");
        await Expect(progress.Locator("[data-field=step]")).ToHaveTextAsync("Failed", new() { Timeout = 30_000 });

        await page.GotoAsync(_web.Url("/"));
        var row = page.Locator(".feed-list li").First;
        await Expect(row.Locator(".badge-error")).ToHaveTextAsync("Failing");
        await Expect(row.Locator(".error")).ToContainTextAsync("404");
        await row.Locator(".feed-title").ClickAsync();
        await Expect(page.Locator(".feed-header > .error")).ToContainTextAsync("404");
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task HostileContent_FromAFeed_RunsNoScript()
    {
        const string hostile = """<script>window.__pwned = "script";</script><img src="data:image/png;base64,broken" onerror="window.__pwned = 'onerror'"><a href="javascript:window.__pwned='link'">click</a><p>Still readable</p>""";
        _feeds.Serve("/hostile.xml", FeedSamples.Rss(1, "Hostile", hostile));
        await _web.StartWorkerAsync();
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/"));
        await page.GetByLabel("Feed address").FillAsync(_feeds.Url("/hostile.xml").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/feeds/\d+$"));

        await page.Locator("[data-item] .item-title").First.ClickAsync();
        await Expect(page.Locator(".content")).ToContainTextAsync("Still readable");
        await page.WaitForLoadedAsync(LoadState.NetworkIdle);

        Assert.Equal(0, await page.Locator(".content script, .content [onerror], .content a[href^='javascript:']").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("window.__pwned === undefined"), "a script from the feed ran");
    }

    [Fact]
    public async Task HostileContent_ThatEscapedTheSanitizer_IsStillStoppedByThePolicy()
    {
        // Written past the worker's sanitizer: only the Content-Security-Policy stands in the way.
        var feed = await AddFeedWithItemsAsync(1);
        await using (var db = _web.Db.Open())
        {
            await db.FeedItems.ExecuteUpdateAsync(s => s.SetProperty(i => i.ContentHtml,
                """<p>Raw</p><script>window.__pwned = "script";</script><img src="data:image/png;base64,broken" onerror="window.__pwned = 'onerror'">"""));
        }
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;

        await page.GotoAsync(_web.Url($"/items/{feed.Items[0].Id}"));
        await page.WaitForLoadedAsync(LoadState.NetworkIdle);

        await Expect(page.Locator(".content")).ToContainTextAsync("Raw");
        Assert.True(await page.EvaluateAsync<bool>("window.__pwned === undefined"), "an inline script ran");
        Assert.Contains(browser.Errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Keyboard_JAndKMoveTheSelection_MTogglesRead_OOpensTheItem()
    {
        var feed = await AddFeedWithItemsAsync(5);
        var ids = feed.Items.Select(i => i.Id).OrderDescending().ToArray();
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url($"/feeds/{feed.Id}"));
        var selected = page.Locator("[data-item].selected");

        await page.Keyboard.PressAsync("j");
        await Expect(selected).ToHaveAttributeAsync("id", $"item-{ids[0]}");
        await Expect(selected.Locator(".item-title")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await Expect(selected).ToHaveAttributeAsync("id", $"item-{ids[2]}");
        await page.Keyboard.PressAsync("k");
        await Expect(selected).ToHaveAttributeAsync("id", $"item-{ids[1]}");
        await Expect(page.Locator("[data-item].selected")).ToHaveCountAsync(1);

        await page.Keyboard.PressAsync("m");
        await Expect(selected).ToHaveAttributeAsync("data-read", "true");
        await Expect(page.Locator("[data-unread-count]")).ToHaveTextAsync("4 unread");
        Assert.False(await IsUnreadAsync(ids[1]));
        await page.Keyboard.PressAsync("m");
        await Expect(selected).ToHaveAttributeAsync("data-read", "false");
        await Expect(page.Locator("[data-unread-count]")).ToHaveTextAsync("5 unread");
        Assert.True(await IsUnreadAsync(ids[1]));

        await page.WaitForURLAfterAsync(() => page.Keyboard.PressAsync("o"), _web.Url($"/items/{ids[1]}"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Item 4");
        Assert.False(await IsUnreadAsync(ids[1]));

        // On the item page j goes to the older item, u back to the feed at the item.
        await page.WaitForURLAfterAsync(() => page.Keyboard.PressAsync("j"), _web.Url($"/items/{ids[2]}"));
        await page.WaitForURLAfterAsync(() => page.Keyboard.PressAsync("u"), _web.Url($"/feeds/{feed.Id}#item-{ids[2]}"));
        await Expect(page.Locator("[data-item].selected")).ToHaveAttributeAsync("id", $"item-{ids[2]}");
        await Expect(page.Locator($"#item-{ids[2]}")).ToHaveAttributeAsync("data-read", "true");
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task Keyboard_JPastTheLastItemOfAPage_OpensTheOlderPage()
    {
        var feed = await AddFeedWithItemsAsync(52);
        var ids = feed.Items.Select(i => i.Id).OrderDescending().ToArray();
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url($"/feeds/{feed.Id}#item-{ids[49]}"));
        await Expect(page.Locator("[data-item].selected")).ToHaveAttributeAsync("id", $"item-{ids[49]}");

        await page.WaitForURLAfterAsync(() => page.Keyboard.PressAsync("j"), _web.Url($"/feeds/{feed.Id}?before={ids[49]}"));
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(2);
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task Keyboard_RRefreshesTheFeed_AndShowsItsProgress()
    {
        var feed = await AddFeedWithItemsAsync(2);
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url($"/feeds/{feed.Id}"));

        await page.Keyboard.PressAsync("r");

        var progress = page.Locator("[data-job-progress]");
        await Expect(progress).ToBeVisibleAsync();
        await Expect(progress.Locator("[data-field=step]")).ToHaveTextAsync("Queued");
        await using var db = _web.Db.Open();
        Assert.Equal(feed.Id, (await db.Jobs.SingleAsync()).FeedId);
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task DeleteFeed_AsksWithConfirm_ThenReturnsToTheList()
    {
        var feed = await AddFeedWithItemsAsync(2);
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        string? asked = null;
        page.Dialog += async (_, dialog) =>
        {
            asked = dialog.Message;
            await dialog.AcceptAsync();
        };
        await page.GotoAsync(_web.Url($"/feeds/{feed.Id}"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete feed…" }).ClickAsync();

        await page.WaitForPageAsync(_web.Url("/"));
        Assert.Contains("and its 2 items?", asked);
        await Expect(page.Locator(".notice")).ToContainTextAsync("Deleted");
        await Expect(page.Locator(".empty")).ToContainTextAsync("No feeds yet");
        browser.AssertNoErrors();
    }

    private Task<Feed> AddFeedWithItemsAsync(int count) =>
        _web.AddFeedAsync(_feeds.Url("/seeded.xml").ToString(), count, "Seeded", lastFetchedAt: DateTime.UtcNow);

    private async Task<bool> IsUnreadAsync(long id)
    {
        await using var db = _web.Db.Open();
        return await db.UnreadItems.AnyAsync(u => u.ItemId == id);
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class ReaderBrowserTestsOnSqlite(Chromium chromium) : ReaderBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class ReaderBrowserTestsOnPostgres(Chromium chromium) : ReaderBrowserTests(chromium, DatabaseEngine.Postgres);
