using System.Net;
using App.Data;
using App.Data.Feeds;
using App.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace App.Tests.Support;

/// <summary>
/// App.Web on a real Kestrel socket (127.0.0.1, a free port) over a migrated database of its own
/// (a SQLite file, or a PostgreSQL database), for a browser to load; a real worker process can be
/// started on the same database. The app has the administrator <see cref="WebApp.AdminName"/>, as
/// which pages sign in.
/// </summary>
public sealed class BrowserWeb : IAsyncDisposable
{
    private readonly WebApplicationFactory<WebEntryPoint> _factory;
    private readonly List<RunningProcess> _workers = [];

    private BrowserWeb(TempDatabase db, WebApplicationFactory<WebEntryPoint> factory, string baseUrl)
    {
        Db = db;
        _factory = factory;
        BaseUrl = baseUrl;
    }

    public TempDatabase Db { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>, without a trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary>
    /// Starts the web process's app in <c>Production</c> (so pages carry what users get: no developer
    /// exception page, production headers). <paramref name="settings"/> are extra configuration keys.
    /// </summary>
    public static async Task<BrowserWeb> StartAsync(IReadOnlyDictionary<string, string>? settings = null, DatabaseEngine engine = DatabaseEngine.Sqlite)
    {
        var db = await TempDatabase.CreateAsync(engine);
        var factory = WebApp.CreateFactory(db, b =>
        {
            b.UseEnvironment("Production");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        // Starting the server runs the app's start-up, which creates the administrator.
        factory.StartServer();
        var baseUrl = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return new BrowserWeb(db, factory, baseUrl);
    }

    public string Url(string path) => BaseUrl + path;

    /// <summary>A client that talks to the real socket as the administrator, for setting things up through the API.</summary>
    public HttpClient CreateClient() => new()
    {
        BaseAddress = new Uri(BaseUrl),
        DefaultRequestHeaders = { Authorization = WebApp.BasicCredentials(WebApp.AdminName, WebApp.AdminPassword) },
    };

    /// <summary>A fresh page signed in as the administrator through the sign-in form, on <c>/</c>.</summary>
    public async Task<BrowserPage> NewSignedInPageAsync(Chromium chromium, BrowserNewContextOptions? options = null)
    {
        var browser = await chromium.NewPageAsync(options);
        await SignInAsync(browser.Page);
        return browser;
    }

    /// <summary>Signs <paramref name="page"/> in as the administrator with the form at <c>/login</c>.</summary>
    public async Task SignInAsync(IPage page, string username = WebApp.AdminName, string password = WebApp.AdminPassword)
    {
        await page.GotoAsync(Url("/login"));
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForPageAsync(Url("/"));
    }

    /// <summary>A feed (see <see cref="TempDatabase.AddFeedAsync"/>) the administrator subscribes to, its items unread.</summary>
    public async Task<Feed> AddFeedAsync(string url, int itemCount = 0, string? title = null, DateTime? lastFetchedAt = null)
    {
        var feed = await Db.AddFeedAsync(url, itemCount, title, lastFetchedAt: lastFetchedAt);
        await using var db = Db.Open();
        var adminId = await db.Users.Where(u => u.Username == WebApp.AdminName).Select(u => u.Id).SingleAsync();
        await Db.SubscribeAsync(adminId, feed.Id);
        return feed;
    }

    /// <summary>A real App.Worker process on this app's database, stopped on dispose.</summary>
    /// <summary>
    /// A real worker process, returned once it has registered: a cold start under load can take
    /// longer than a page's expectations wait, and those should measure the page, not the start.
    /// </summary>
    public async Task<RunningProcess> StartWorkerAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        int before;
        await using (var db = Db.Open())
        {
            before = await db.Workers.CountAsync();
        }
        var worker = RunningProcess.StartWorker(Db.ConnectionString, settings);
        _workers.Add(worker);
        await Eventually.TrueAsync(async () =>
        {
            await using var db = Db.Open();
            return worker.HasExited || await db.Workers.CountAsync() > before;
        }, RunningProcess.Patience, "the worker to register");
        Assert.False(worker.HasExited, worker.Output);
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }
        await _factory.DisposeAsync();
        Db.Dispose();
    }
}
