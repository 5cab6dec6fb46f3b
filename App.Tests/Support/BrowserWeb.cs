using System.Net;
using App.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace App.Tests.Support;

/// <summary>
/// App.Web on a real Kestrel socket (127.0.0.1, a free port) over a migrated SQLite file of its
/// own, for a browser to load; a real worker process can be started on the same file.
/// </summary>
public sealed class BrowserWeb : IAsyncDisposable
{
    private readonly WebApplicationFactory<WebEntryPoint> _factory;
    private readonly List<RunningWorker> _workers = [];

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
    public static async Task<BrowserWeb> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var db = await TempDatabase.CreateAsync();
        var factory = WebApp.CreateFactory(db, b =>
        {
            b.UseEnvironment("Production");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        });
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var baseUrl = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return new BrowserWeb(db, factory, baseUrl);
    }

    public string Url(string path) => BaseUrl + path;

    /// <summary>A client that talks to the real socket, for setting things up through the API.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = new Uri(BaseUrl) };

    /// <summary>A real App.Worker process on this app's database, stopped on dispose.</summary>
    public RunningWorker StartWorker(IReadOnlyDictionary<string, string>? settings = null)
    {
        var worker = RunningWorker.Start(Db.ConnectionString, settings);
        _workers.Add(worker);
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
