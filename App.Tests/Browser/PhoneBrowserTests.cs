using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>
/// The reader on a phone: at 375 px (the narrowest common phone) the feeds list, a river and an
/// item page fit the width (nothing scrolls sideways, however wide the item's content), their
/// controls are big enough to tap, and the app installs to a home screen (manifest and icons).
/// With <c>SCREENSHOTS_DIR</c> set, the SQLite run saves the phone screenshots the README shows.
/// </summary>
public abstract class PhoneBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private static readonly string? Folder = Environment.GetEnvironmentVariable("SCREENSHOTS_DIR");

    // What a finger can hit reliably; WCAG 2.2's minimum target size is 24 px.
    private const double MinTapHeight = 32;

    private BrowserWeb _web = null!;

    public async Task InitializeAsync() => _web = await BrowserWeb.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task FeedsList_River_AndItemPage_FitAPhoneWidth_WithControlsBigEnoughToTap()
    {
        var news = await _web.AddFeedAsync("https://news.example/feed.xml", 6, "A news site whose name is rather long for a phone", DateTime.UtcNow);
        await _web.AddFeedAsync("https://blog.example/feed.xml", 4, "Blog", DateTime.UtcNow);
        var wide = news.Items[0].Id;
        await using (var db = _web.Db.Open())
        {
            // Fetched just now: the worker leaves them be (their example.com hosts do not exist).
            await db.Feeds.ExecuteUpdateAsync(s => s.SetProperty(f => f.NextRefreshAt, DateTime.UtcNow.AddHours(1)));
            // Content wider than any phone: a long unbroken word and link, a wide table and image, preformatted text.
            var url = "https://example.com/" + new string('a', 180);
            await db.FeedItems.Where(i => i.Id == wide).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Title, "An item whose title goes on and on: " + new string('x', 60))
                .SetProperty(i => i.ContentHtml,
                    $"<p>Start {new string('w', 120)} and <a href=\"{url}\">{url}</a>.</p>"
                    + "<table><tr>" + string.Concat(Enumerable.Range(1, 12).Select(n => $"<td>column number {n}</td>")) + "</tr></table>"
                    + "<p><img src=\"/favicon.svg\" width=\"1600\" height=\"400\" alt=\"a wide picture\"></p>"
                    + "<pre>" + new string('p', 200) + "</pre><p>End of the item.</p>"));
        }
        // A worker, so that the pages show no "No worker is running" banner.
        await _web.StartWorkerAsync();
        await using var phone = await _web.NewSignedInPageAsync(chromium, new()
        {
            ViewportSize = new() { Width = 375, Height = 812 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = phone.Page;

        await page.GotoAsync(_web.Url("/"));
        await Expect(page.Locator(".feed-list li")).ToHaveCountAsync(2);
        await AssertFitsAsync(page, "the feeds list");
        // The header's last control stays on the screen (its row wraps): an overflowing flex row
        // is clipped rather than scrolled, so the page width alone does not show it.
        var signOut = await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).BoundingBoxAsync();
        Assert.True(signOut is { } b && b.X + b.Width <= 375, $"Sign out is off the screen: {signOut?.X} + {signOut?.Width}");
        await AssertTappableAsync(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }));
        await AssertTappableAsync(page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }));
        await SaveAsync(page, "feeds-phone.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "All unread" }).ClickAsync();
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(10);
        await AssertFitsAsync(page, "the unread river");
        await AssertTappableAsync(page.Locator("[data-item]").First.Locator("button").First);
        await SaveAsync(page, "river-phone.png");

        await page.GotoAsync(_web.Url($"/items/{wide}"));
        await Expect(page.Locator(".content")).ToContainTextAsync("End of the item.");
        await AssertFitsAsync(page, "the item page");
        await SaveAsync(page, "item-phone.png");
        phone.AssertNoErrors();
    }

    [Fact]
    public async Task Manifest_AndIcons_AreServedWithoutSignIn_AndChromiumFindsTheAppInstallable()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(_web.BaseUrl) };
        var response = await anonymous.GetAsync("/manifest.webmanifest");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/manifest+json", response.Content.Headers.ContentType?.MediaType);
        var manifest = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/unread", manifest.GetProperty("start_url").GetString());
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        var sizes = new List<string>();
        foreach (var icon in manifest.GetProperty("icons").EnumerateArray())
        {
            var src = icon.GetProperty("src").GetString()!;
            var image = await anonymous.GetAsync(src);
            Assert.True(image.IsSuccessStatusCode, src);
            Assert.Equal(icon.GetProperty("type").GetString(), image.Content.Headers.ContentType?.MediaType);
            if (icon.GetProperty("type").GetString() == "image/png")
            {
                // The size the manifest declares is the PNG's own (its IHDR width and height).
                var bytes = await image.Content.ReadAsByteArrayAsync();
                var width = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
                var height = (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23];
                Assert.Equal(icon.GetProperty("sizes").GetString(), $"{width}x{height}");
                sizes.Add($"{width}x{height}");
            }
        }
        Assert.Contains("192x192", sizes);
        Assert.Contains("512x512", sizes);

        await using var browser = await _web.NewSignedInPageAsync(chromium);
        await browser.Page.GotoAsync(_web.Url("/unread"));
        var cdp = await browser.Page.Context.NewCDPSessionAsync(browser.Page);
        var errors = (await cdp.SendAsync("Page.getInstallabilityErrors"))!.Value.GetProperty("installabilityErrors")
            .EnumerateArray().Select(e => e.GetProperty("errorId").GetString()).ToList();
        // A test browser's context is incognito, which chromium never installs from; every other
        // check (manifest, icons, start URL, secure origin) must pass.
        Assert.Equal(["in-incognito"], errors);
        browser.AssertNoErrors();
    }

    private static async Task AssertFitsAsync(IPage page, string what)
    {
        // Layout is measured with the style sheets loaded so far: a page reached by a click may
        // have its items before its style sheet (a test server's build output answers it with
        // no-cache, so chromium asks again on every page), and unstyled it is wider and its
        // controls smaller. The load event waits for the sheet.
        await page.WaitForLoadedAsync();
        var (scrollWidth, innerWidth) = (
            await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"),
            await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.True(scrollWidth <= innerWidth, $"{what} scrolls sideways on a phone: {scrollWidth} px wide in {innerWidth}");
    }

    private static async Task AssertTappableAsync(ILocator control)
    {
        var box = await control.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Height >= MinTapHeight, $"a control {box.Height} px high is hard to tap");
    }

    private async Task SaveAsync(IPage page, string name)
    {
        // One engine writes the README's pictures, so a run over both leaves one set, not the last run's.
        if (Folder is not null && engine == DatabaseEngine.Sqlite)
        {
            Directory.CreateDirectory(Folder);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, name), FullPage = false });
        }
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class PhoneBrowserTestsOnSqlite(Chromium chromium) : PhoneBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class PhoneBrowserTestsOnPostgres(Chromium chromium) : PhoneBrowserTests(chromium, DatabaseEngine.Postgres);
