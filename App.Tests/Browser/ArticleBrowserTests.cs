using App.Data;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>"Load full article" in chromium: the web on Kestrel, the article page on a local origin, a real worker process.</summary>
public abstract class ArticleBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private BrowserWeb _web = null!;
    private FeedServer _site = null!;

    public async Task InitializeAsync()
    {
        _web = await BrowserWeb.StartAsync(engine: engine);
        _site = await FeedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        await _site.DisposeAsync();
    }

    [Fact]
    public async Task LoadFullArticle_FollowsTheJob_ThenShowsTheArticle_AndTheSwitchGoesBackToTheFeedsText()
    {
        // A slow page keeps the job visible for a moment.
        _site.Map("/posts/1", async (context, _) =>
        {
            await Task.Delay(1000);
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(ArticleSamples.Page(1));
        });
        _site.Map("/posts/images/harbour-1.jpg", async (context, _) =>
        {
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(Png);
        });
        var feed = await _web.AddFeedAsync("https://example.com/feed.xml", itemCount: 1, title: "Harbour notes");
        var itemId = feed.Items[0].Id;
        await using (var db = _web.Db.Open())
        {
            await db.FeedItems.Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Link, _site.Url("/posts/1").ToString()));
        }
        await _web.StartWorkerAsync();
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url($"/items/{itemId}"));
        var content = page.Locator(".content");
        await Expect(content).ToHaveTextAsync("Body of item 1");

        await page.GetByRole(AriaRole.Button, new() { Name = "Load full article" }).ClickAsync();

        var progress = page.Locator(".article-load [data-job-progress]");
        await Expect(progress).ToBeVisibleAsync();
        await Expect(page.Locator("[data-content=article]")).ToContainTextAsync(
            $"{ArticleSamples.BodyText} in paragraph 8 of post 1", new() { Timeout = 30_000 });
        await Expect(content).Not.ToContainTextAsync(ArticleSamples.JunkText[0]);
        Assert.Equal(0, await page.Locator(".content script, .content [onclick]").CountAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Show the feed's text" }).ClickAsync();
        await Expect(content).ToHaveTextAsync("Body of item 1");
        await page.GetByRole(AriaRole.Link, new() { Name = "Show the full article" }).ClickAsync();
        await Expect(page.Locator("[data-content=article]")).ToContainTextAsync(ArticleSamples.BodyText);
        browser.AssertNoErrors();
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class ArticleBrowserTestsOnSqlite(Chromium chromium) : ArticleBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class ArticleBrowserTestsOnPostgres(Chromium chromium) : ArticleBrowserTests(chromium, DatabaseEngine.Postgres);
