using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>
/// A tour of the main pages as a person meets them (signing in first), in light and dark mode. It asserts each page
/// shows what it is for; with <c>SCREENSHOTS_DIR</c> set the SQLite run also saves the screenshots
/// that the README shows (<c>scripts/screenshots</c> does that into docs/screenshots).
/// </summary>
public abstract partial class ScreenshotTour(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private static readonly string? Folder = Environment.GetEnvironmentVariable("SCREENSHOTS_DIR");
    private BrowserWeb _web = null!;
    private FeedServer _origin = null!;

    public async Task InitializeAsync()
    {
        _web = await BrowserWeb.StartAsync(engine: engine);
        _origin = await FeedServer.StartAsync();
        _origin.Serve("/field-notes.xml", FieldNotes(_origin.Url("/")));
        _origin.Serve("/release-notes.xml", ReleaseNotes(_origin.Url("/")));
        _origin.Serve("/notes/estuary", EstuaryArticle(), "text/html; charset=utf-8");
        _origin.Map("/slow.xml", async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync(FeedSamples.Rss(3, "Slow podcast"));
        });
        await _web.StartWorkerAsync();
    }

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task MainPages_InLightAndDarkMode()
    {
        await using var browser = await chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 760 } });
        var page = browser.Page;
        await ServeIconAsync(page, "/icons/notes.png", "#2f7d4f", "N");
        await ServeIconAsync(page, "/icons/releases.png", "#3b5bdb", "R");
        await page.GotoAsync(_web.Url("/feeds/1"));
        await page.WaitForPageAsync(_web.Url("/login?returnUrl=%2Ffeeds%2F1"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await SaveAsync(page, "sign-in.png");
        await _web.SignInAsync(page);

        var fieldNotes = await AddFeedAsync(page, "/field-notes.xml", "Field notes");
        var releaseNotes = await AddFeedAsync(page, "/release-notes.xml", "Release notes");
        await page.GotoAsync(_web.Url("/"));
        await page.GetByLabel("Feed address").FillAsync(_origin.Url("/gone.xml").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();
        await Expect(page.Locator("[data-job-progress] [data-field=step]")).ToHaveTextAsync("Failed", new() { Timeout = 30_000 });

        // Some items read, so the feed page shows both kinds.
        await page.GotoAsync(fieldNotes);
        await page.Locator("[data-item] .item-title").Nth(1).ClickAsync();
        await Expect(page.Locator(".content")).ToContainTextAsync("tide");
        await SaveAsync(page, "item.png");
        await page.GotoAsync(fieldNotes);
        await Expect(page.Locator("[data-item]")).ToHaveCountAsync(8);
        await SaveAsync(page, "feed.png");

        // The full article: the first note links to its page on the origin, which the worker's fetch-article job extracts.
        await page.GetByRole(AriaRole.Link, new() { Name = "Walking the estuary at low tide" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Load full article" }).ClickAsync();
        await Expect(page.Locator("[data-content=article]")).ToContainTextAsync("the channel the boats use", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-content=article]")).Not.ToContainTextAsync("Subscribe to the newsletter");
        await SaveAsync(page, "item-article.png");

        // The feeds' icons, fetched by the worker's fetch-icon jobs, for the feeds list and the river.
        await Eventually.TrueAsync(async () =>
        {
            await using var db = _web.Db.Open();
            return await db.FeedIcons.CountAsync(i => i.ContentType == "image/png") == 2;
        }, TimeSpan.FromSeconds(30), "the feeds' icons");
        await page.GotoAsync(_web.Url("/"));
        await Expect(page.Locator(".feed-list li")).ToHaveCountAsync(3);
        await Expect(page.Locator(".badge-error")).ToHaveCountAsync(1);
        await SaveAsync(page, "feeds.png");

        // The river of everything unread, each item with its feed's name and icon.
        await page.GotoAsync(_web.Url("/unread"));
        await Expect(page.Locator("[data-item]").First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-item] .item-feed").Filter(new() { HasText = "Release notes" })).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-item] .feed-icon").First).ToBeVisibleAsync();
        await SaveAsync(page, "river.png");

        await page.GotoAsync(_web.Url("/"));
        await page.GetByLabel("Feed address").FillAsync(_origin.Url("/slow.xml").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();
        await Expect(page.Locator("[data-job-progress] [data-field=step]")).ToHaveTextAsync("Fetching", new() { Timeout = 30_000 });
        await SaveAsync(page, "add-feed-progress.png");
        await page.WaitForPageAsync(FeedPage());

        // Folders, made and filled through the pages.
        await page.GotoAsync(_web.Url("/folders"));
        foreach (var name in new[] { "Outdoors", "Software" })
        {
            await page.GetByLabel("New folder").FillAsync(name);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add folder" }).ClickAsync();
            await Expect(page.Locator(".folders li").Filter(new() { HasText = name })).ToHaveCountAsync(1);
        }
        foreach (var (feed, folder) in new[] { (fieldNotes, "Outdoors"), (releaseNotes, "Software") })
        {
            await page.GotoAsync(feed);
            await page.GetByLabel("Folder", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = folder });
            await page.GetByRole(AriaRole.Button, new() { Name = "Move", Exact = true }).ClickAsync();
            await Expect(page.GetByLabel("Folder", new() { Exact = true }).Locator("option:checked")).ToHaveTextAsync(folder);
        }
        await page.GotoAsync(_web.Url("/"));
        await Expect(page.Locator("section.folder h2")).ToHaveCountAsync(3);
        await Expect(page.Locator("section.folder").Filter(new() { HasText = "Software" }).Locator("h2 .badge-unread")).ToHaveTextAsync("2 unread");
        await SaveAsync(page, "feeds-folders.png");

        // Search from the header's box: three items of two feeds.
        await page.GetByLabel("Search items").FillAsync("heron OR swifts OR faster");
        await page.WaitForURLAfterAsync(() => page.GetByLabel("Search items").PressAsync("Enter"), new Regex("/search\\?q="));
        await Expect(page.Locator("[data-item] .item-title")).ToHaveCountAsync(3);
        Assert.Equal(
            ["First swifts of the year", "The heron that comes back every morning", "Version 4.2: faster imports"],
            (await page.Locator("[data-item] .item-title").AllInnerTextsAsync()).Order());
        await SaveAsync(page, "search.png");

        await page.GotoAsync(fieldNotes + "/settings");
        await page.GetByLabel("Refresh every (minutes)").FillAsync("120");
        await page.GetByLabel("User agent").FillAsync("Mozilla/5.0 (compatible; AppFeedReader)");
        await SaveAsync(page, "feed-settings.png");

        await SeedLastHourAsync();
        var queue = _web.Db.Queue();
        for (var i = 0; i < 40; i++)
        {
            await queue.EnqueueAsync(new JobRequest("noop"));
        }
        await page.GotoAsync(_web.Url("/jobs"));
        await Expect(page.Locator("[data-state=succeeded] dd")).Not.ToHaveTextAsync("0");
        await Expect(page.Locator("#failures-section")).ToContainTextAsync("HTTP 404 Not Found");
        await SaveAsync(page, "dashboard.png");

        await page.GotoAsync(_web.Url("/settings"));
        await page.GetByLabel("Name of the new key").FillAsync("NetNewsWire on my phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(page.Locator("[data-new-key]")).ToHaveTextAsync(new Regex("^[A-Za-z0-9_-]{32}$"));
        await SaveAsync(page, "settings.png");
        browser.AssertNoErrors();

        await using var dark = await _web.NewSignedInPageAsync(chromium, new()
        {
            ViewportSize = new() { Width = 1100, Height = 760 },
            ColorScheme = ColorScheme.Dark,
        });
        await dark.Page.GotoAsync(fieldNotes);
        var background = await dark.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(22, 24, 26)", background);
        await SaveAsync(dark.Page, "feed-dark.png");
        // The phone layout has its own tests and screenshots: PhoneBrowserTests.
    }

    private async Task<string> AddFeedAsync(IPage page, string path, string title)
    {
        await page.GotoAsync(_web.Url("/"));
        await page.GetByLabel("Feed address").FillAsync(_origin.Url(path).ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();
        await page.WaitForPageAsync(FeedPage());
        await Expect(page.Locator("h1")).ToHaveTextAsync(title);
        return page.Url;
    }

    /// <summary>Jobs finished over the past hour, so the dashboard's chart has a history to draw.</summary>
    private async Task SeedLastHourAsync()
    {
        var now = DateTime.UtcNow;
        await using var db = _web.Db.Open();
        for (var minute = 59; minute >= 1; minute--)
        {
            var count = 20 + (int)(15 * Math.Sin(minute / 6.0)) + (minute % 7);
            for (var i = 0; i < count; i++)
            {
                var at = now.AddMinutes(-minute).AddSeconds(i);
                var failed = i == 0 && minute % 11 == 0;
                db.Jobs.Add(new Job
                {
                    Type = "noop",
                    State = failed ? JobState.Failed : JobState.Succeeded,
                    LastError = failed ? "HTTP 503 Service Unavailable" : null,
                    CreatedAt = at,
                    RunAt = at,
                    StartedAt = at,
                    FinishedAt = at,
                    Attempts = 1,
                    MaxAttempts = 5,
                });
            }
        }
        await db.SaveChangesAsync();
        // Inserted finished, which the queue's counters do not see (the dashboard's counts read them).
        await db.Database.ExecuteSqlRawAsync(JobSql.For(engine).Recount);
    }

    /// <summary>Serves a 32 px feed icon (a letter on a coloured square) that chromium draws, as a site's PNG icon.</summary>
    private async Task ServeIconAsync(IPage page, string path, string colour, string letter)
    {
        await page.SetContentAsync($"""
            <div id="icon" style="width:32px;height:32px;border-radius:6px;background:{colour};color:#fff;
              font:bold 22px/32px sans-serif;text-align:center">{letter}</div>
            """);
        var png = await page.Locator("#icon").ScreenshotAsync(new() { OmitBackground = true });
        _origin.Map(path, async (context, _) =>
        {
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(png);
        });
    }

    private async Task SaveAsync(IPage page, string name)
    {
        // One engine writes the README's pictures, so a run over both leaves one set, not the last run's.
        if (Folder is { Length: > 0 } && engine == DatabaseEngine.Sqlite)
        {
            Directory.CreateDirectory(Folder);
            // A page reached by a click may not have its style sheet yet (PhoneBrowserTests.AssertFitsAsync).
            await page.WaitForLoadedAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, name) });
        }
    }

    [GeneratedRegex(@"/feeds/\d+$")]
    private static partial Regex FeedPage();

    private static string FieldNotes(Uri origin)
    {
        (string Title, string Body)[] notes =
        [
            ("Walking the estuary at low tide", "Two hours after the turn of the tide the mud flats open up like a map."),
            ("The heron that comes back every morning", "Same post, same time, same disdain for the dog walkers."),
            ("Notes on a wet week", "Rain on six days out of seven, and the river higher than in any March I remember."),
            ("Mending the garden wall", "Dry-stone walling is slower than it looks and more forgiving than it sounds."),
            ("First swifts of the year", "They arrived on the 3rd, a week later than last year, screaming over the rooftops."),
            ("A short history of the old mill", "The ledger in the library starts in 1794 and stops, mid-sentence, in 1911."),
            ("What the moth trap caught", "Forty-one species overnight, including an elephant hawk-moth."),
            ("Winter plans", "Seed catalogues, a new path, and a promise to finally label the apple trees."),
        ];
        var start = new DateTime(2026, 11, 20, 7, 30, 0, DateTimeKind.Utc);
        var items = new StringBuilder();
        for (var i = 0; i < notes.Length; i++)
        {
            var (title, body) = notes[i];
            // The first note links to its page on the origin, for the full-article screenshot.
            var link = i == 0 ? new Uri(origin, "/notes/estuary").ToString() : $"https://notes.example.org/{i}";
            items.Append(CultureInfo.InvariantCulture, $"""
                <item><title>{title}</title><link>{link}</link><guid>note-{i}</guid>
                <author>ana@notes.example.org (Ana Lima)</author>
                <pubDate>{start.AddDays(-i * 2).AddHours(i):R}</pubDate>
                <description><![CDATA[<p>{body}</p><p>More below the fold: the tide tables, a sketch, and a list of what to bring next time.</p>]]></description></item>

                """);
        }
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Field notes</title><link>https://notes.example.org/</link>
            <description>Walks, birds and small repairs</description>
            <image><url>{new Uri(origin, "/icons/notes.png")}</url><title>Field notes</title><link>https://notes.example.org/</link></image>
            {items}</channel></rss>
            """;
    }

    private static string ReleaseNotes(Uri origin) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
          <title>Release notes</title>
          <link href="https://releases.example.com/"/>
          <icon>{new Uri(origin, "/icons/releases.png")}</icon>
          <id>urn:releases</id>
          <updated>2026-11-26T09:00:00Z</updated>
          <entry><title>Version 4.2: faster imports</title><link href="/v4.2"/><id>urn:v4.2</id>
            <updated>2026-11-26T09:00:00Z</updated><content type="html">&lt;p&gt;Imports are three times faster.&lt;/p&gt;</content></entry>
          <entry><title>Version 4.1.3: security fix</title><link href="/v4.1.3"/><id>urn:v4.1.3</id>
            <updated>2026-11-12T09:00:00Z</updated><content type="html">&lt;p&gt;Please upgrade.&lt;/p&gt;</content></entry>
        </feed>
        """;

    /// <summary>The first note's page: the article amid a site's navigation, sidebar and footer.</summary>
    private static string EstuaryArticle() => """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Walking the estuary at low tide - Field notes</title></head>
        <body>
          <nav><a href="/">Home</a> <a href="/walks">Walks</a> <a href="/birds">Birds</a> <a href="/about">About</a></nav>
          <aside><p>Subscribe to the newsletter for a walk a week.</p></aside>
          <article>
            <h1>Walking the estuary at low tide</h1>
            <p>Two hours after the turn of the tide the mud flats open up like a map. The channels that were
            a single sheet of grey water at breakfast split into a hundred silver threads, and the sandbanks
            between them dry to the colour of biscuit in the wind.</p>
            <p>We started from the old sea wall below the church, where the path drops down over a stile onto
            the saltmarsh. The samphire is over for the year, but the sea lavender still holds a little colour,
            and the redshanks went up in front of us at every creek, complaining loudly about it.</p>
            <h2>Reading the channels</h2>
            <p>The trick, which took me three winters to learn, is to walk the ridges and never the hollows. The
            hollows keep the soft mud, the kind that takes a boot and keeps it. The ridges are firm, ribbed by the
            ebb, and they lead out almost to the channel the boats use, where the curlews feed at the edge.</p>
            <p>By the time we reached the wreck of the old barge the tide had turned. You hear it before you see it:
            a soft hiss as the first water slides back over the flats, filling the footprints we had made on the
            way out. We turned for home with the sun low over the marsh and the geese coming in overhead.</p>
            <h2>What to bring</h2>
            <ul><li>The tide tables, and a watch you trust.</li><li>Boots, not shoes; spare socks in the bag.</li>
            <li>Binoculars, a flask, and a friend who knows the way back.</li></ul>
          </article>
          <footer><p>Copyright Field notes. All rights reserved.</p></footer>
        </body></html>
        """;
}

[Collection(ChromiumCollection.Name)]
public sealed class ScreenshotTourOnSqlite(Chromium chromium) : ScreenshotTour(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class ScreenshotTourOnPostgres(Chromium chromium) : ScreenshotTour(chromium, DatabaseEngine.Postgres);
