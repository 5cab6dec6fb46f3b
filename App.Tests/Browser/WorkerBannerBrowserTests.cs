using App.Data;
using App.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>The banner that tells a user no worker runs, in chromium against a real worker process.</summary>
public abstract class WorkerBannerBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;

    public async Task InitializeAsync() => _web = await BrowserWeb.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Banner_ShowsWithoutAWorker_GoesWhenOneStarts_AndReturnsWhenItStops()
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        var banner = page.Locator("[data-worker-banner]");

        await page.GotoAsync(_web.Url("/"));
        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToContainTextAsync("No worker is running");
        await Expect(banner).ToContainTextAsync("scripts/start");

        // No reload: the page notices the worker by itself.
        var worker = await _web.StartWorkerAsync();
        await Expect(banner).ToBeHiddenAsync(new() { Timeout = 30_000 });

        await page.GotoAsync(_web.Url("/jobs"));
        await Expect(banner).ToBeHiddenAsync();

        // A worker stopped with SIGTERM deregisters, so the banner is back at the next poll.
        await worker.TerminateAsync(TimeSpan.FromSeconds(30));
        await Expect(banner).ToBeVisibleAsync(new() { Timeout = 15_000 });
        browser.AssertNoErrors();
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class WorkerBannerBrowserTestsOnSqlite(Chromium chromium) : WorkerBannerBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class WorkerBannerBrowserTestsOnPostgres(Chromium chromium) : WorkerBannerBrowserTests(chromium, DatabaseEngine.Postgres);
