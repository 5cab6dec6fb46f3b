using App.Data;
using App.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>The Content-Security-Policy as chromium enforces it on our own pages.</summary>
public abstract class SecurityHeadersBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;

    public async Task InitializeAsync() => _web = await BrowserWeb.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/jobs")]
    public async Task OwnPages_LoadEveryScriptAndStyleUnderThePolicy(string path)
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);

        var response = await browser.Page.GotoAsync(_web.Url(path));
        await browser.Page.WaitForLoadedAsync(LoadState.NetworkIdle);

        Assert.NotNull(response);
        Assert.Contains("script-src 'self'", await response.HeaderValueAsync("content-security-policy"));
        // A refused inline script, inline style or foreign script is reported on the console.
        browser.AssertNoErrors();
        // The stylesheet applied (a refused one would leave the browser's default layout).
        await Expect(browser.Page.Locator("header.site-header")).ToHaveCSSAsync("display", "flex");
    }

    [Fact]
    public async Task InjectedInlineScript_IsRefusedByThePolicy()
    {
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        await browser.Page.GotoAsync(_web.Url("/"));

        // As if stored HTML had smuggled a script and an event handler past the sanitizer.
        await browser.Page.EvaluateAsync("""
            () => {
              const holder = document.createElement("div");
              holder.innerHTML = '<img src="/nothing.png" onerror="window.__pwned = 1">';
              document.body.append(holder);
              const script = document.createElement("script");
              script.textContent = "window.__pwned = 2";
              document.body.append(script);
            }
            """);
        await browser.Page.WaitForTimeoutAsync(300);

        Assert.Null(await browser.Page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.Contains(browser.Errors, e => e.Contains("Content Security Policy"));
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class SecurityHeadersBrowserTestsOnSqlite(Chromium chromium) : SecurityHeadersBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class SecurityHeadersBrowserTestsOnPostgres(Chromium chromium) : SecurityHeadersBrowserTests(chromium, DatabaseEngine.Postgres);
