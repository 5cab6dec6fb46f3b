using System.Text;
using System.Text.RegularExpressions;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>OPML import in chromium: the upload, then the batch's progress bar filled by a real worker.</summary>
public abstract class OpmlBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
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
    public async Task ImportOf20Feeds_ShowsTheBatchReach100Percent()
    {
        const int count = 20;
        for (var i = 1; i <= count; i++)
        {
            _feeds.Serve($"/f{i}.xml", FeedSamples.Rss(2, $"Feed {i}"));
        }
        var outlines = string.Concat(Enumerable.Range(1, count).Select(i => $"""<outline text="F{i}" type="rss" xmlUrl="{_feeds.Url($"/f{i}.xml")}"/>"""));
        var opml = $"""<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>{outlines}</body></opml>""";
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Import OPML" }).ClickAsync();

        await page.GetByLabel("OPML file", new() { Exact = true }).SetInputFilesAsync(new FilePayload
        {
            Name = "subscriptions.opml",
            MimeType = "text/x-opml",
            Buffer = Encoding.UTF8.GetBytes(opml),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/batches/\d+$"));
        await Expect(page.Locator(".notice")).ToContainTextAsync("Imported 20 new feeds.");
        await Expect(page.Locator("[data-field=percent]")).ToHaveTextAsync("0%");
        await _web.StartWorkerAsync();

        await Expect(page.Locator("[data-field=percent]")).ToHaveTextAsync("100%", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-field=done]")).ToHaveTextAsync("20");
        await Expect(page.Locator("[data-field=failed]")).ToHaveTextAsync("0");
        Assert.Equal(20, await page.Locator("progress").EvaluateAsync<int>("bar => bar.value"));
        await using (var db = _web.Db.Open())
        {
            Assert.Equal(40, await db.FeedItems.CountAsync());
        }
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task ImportOfABrokenFile_ShowsTheReasonAtTheField()
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/opml"));

        await page.GetByLabel("OPML file", new() { Exact = true }).SetInputFilesAsync(new FilePayload
        {
            Name = "broken.opml",
            MimeType = "text/x-opml",
            Buffer = Encoding.UTF8.GetBytes("<opml><body><outline xmlUrl='https://a.example/'></body>"),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        await Expect(page.Locator("#file-error")).ToContainTextAsync("not well-formed XML");
        await using var db = _web.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        browser.AssertNoErrors();
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class OpmlBrowserTestsOnSqlite(Chromium chromium) : OpmlBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class OpmlBrowserTestsOnPostgres(Chromium chromium) : OpmlBrowserTests(chromium, DatabaseEngine.Postgres);
