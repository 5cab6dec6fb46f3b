using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace App.Tests.Support;

/// <summary>A real Kestrel origin on 127.0.0.1 with a free port, serving whatever each test scripts per path.</summary>
public sealed class FeedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>> _routes = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private List<Uri> _sites = [];

    private FeedServer(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>
    /// Starts on 127.0.0.1, and on each of <paramref name="moreAddresses"/> too (other loopback
    /// addresses such as 127.0.0.2: other sites to a fetcher, whose connections it counts apart).
    /// </summary>
    public static async Task<FeedServer> StartAsync(params string[] moreAddresses)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(["http://127.0.0.1:0", .. moreAddresses.Select(a => $"http://{a}:0")]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FeedServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server._sites = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a))];
        server.BaseUrl = server._sites.First(s => s.Host == "127.0.0.1");
        return server;
    }

    /// <summary>Absolute URL of <paramref name="path"/> on this server.</summary>
    public Uri Url(string path) => new(BaseUrl, path);

    /// <summary>Absolute URL of <paramref name="path"/> on this server's listener at <paramref name="address"/>.</summary>
    public Uri UrlAt(string address, string path) => new(_sites.Single(s => s.Host == address), path);

    /// <summary>Scripts <paramref name="path"/>; the handler also gets the request's 1-based count for that path.</summary>
    public void Map(string path, Func<HttpContext, int, Task> handler) => _routes[path] = handler;

    /// <summary>Serves a fixed body with a media type.</summary>
    public void Serve(string path, string body, string contentType = "application/rss+xml; charset=utf-8") =>
        Map(path, (context, _) =>
        {
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync(body);
        });

    /// <summary>How many requests <paramref name="path"/> received.</summary>
    public int Hits(string path) => _hits.GetValueOrDefault(path);

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var hit = _hits.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (_routes.TryGetValue(path, out var handler))
        {
            return handler(context, hit);
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
