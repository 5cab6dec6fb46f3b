using System.IO.Compression;
using System.Text;
using App.Tests.Support;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Feeds.Fetch;

public sealed class FeedFetcherTests : IAsyncLifetime
{
    private FeedServer _origin = null!;

    public async Task InitializeAsync() => _origin = await FeedServer.StartAsync();

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    internal static FeedFetcher Fetcher(bool allowPrivate = true, string? maxBytes = null, string? timeout = null, string? proxy = null)
    {
        var settings = new Dictionary<string, string?> { ["Feeds:AllowPrivateAddresses"] = allowPrivate.ToString() };
        if (proxy is not null)
        {
            settings["Feeds:Proxy"] = proxy;
        }
        if (maxBytes is not null)
        {
            settings["Feeds:MaxResponseBytes"] = maxBytes;
        }
        if (timeout is not null)
        {
            settings["Feeds:FetchTimeout"] = timeout;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddFeedHandlers(configuration)
            .BuildServiceProvider().GetRequiredService<FeedFetcher>();
    }

    [Fact]
    public async Task Fetch_ReturnsTheBodyMediaTypeAndFinalAddress_AfterARedirect()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(1));
        _origin.Map("/old", (context, _) =>
        {
            context.Response.Redirect("/feed.xml", permanent: true);
            return Task.CompletedTask;
        });

        var document = await Fetcher().FetchAsync(_origin.Url("/old"), CancellationToken.None);

        Assert.Equal(_origin.Url("/feed.xml"), document.Url);
        Assert.Equal("application/rss+xml", document.MediaType);
        Assert.Contains("<rss", Encoding.UTF8.GetString(document.Body.ToArray()));
    }

    [Fact]
    public async Task Fetch_RefusesLoopback_UnlessPrivateAddressesAreAllowed()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(1));

        var e = await Assert.ThrowsAsync<FeedException>(() => Fetcher(allowPrivate: false).FetchAsync(_origin.Url("/feed.xml"), CancellationToken.None));

        Assert.Equal("Blocked: 127.0.0.1 is a private address", e.Message);
        Assert.False(e.Retryable);
        Assert.Equal(0, _origin.Hits("/feed.xml"));
    }

    [Theory]
    [InlineData(404, "HTTP 404 Not Found", false)]
    [InlineData(410, "HTTP 410 Gone", false)]
    [InlineData(503, "HTTP 503 Service Unavailable", true)]
    [InlineData(429, "HTTP 429 Too Many Requests", true)]
    public async Task Fetch_TurnsErrorStatusesIntoReadableErrors(int status, string message, bool retryable)
    {
        _origin.Map("/status", (context, _) =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        var e = await Assert.ThrowsAsync<FeedException>(() => Fetcher().FetchAsync(_origin.Url("/status"), CancellationToken.None));

        Assert.Equal(message, e.Message);
        Assert.Equal(retryable, e.Retryable);
    }

    [Fact]
    public async Task Fetch_StopsReadingAnEndlessBody_AtTheSizeCap()
    {
        _origin.Map("/endless", async (context, _) =>
        {
            var chunk = new byte[64 * 1024];
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });

        var e = await Assert.ThrowsAsync<FeedException>(() =>
            Fetcher(maxBytes: (1024 * 1024).ToString()).FetchAsync(_origin.Url("/endless"), CancellationToken.None));

        Assert.Equal("Response larger than 1 MiB", e.Message);
    }

    [Fact]
    public async Task Fetch_GivesUpOnASlowServer_AfterTheFetchTimeout()
    {
        _origin.Map("/slow", async (context, _) => await Task.Delay(Timeout.Infinite, context.RequestAborted));

        var e = await Assert.ThrowsAsync<FeedException>(() =>
            Fetcher(timeout: "00:00:01").FetchAsync(_origin.Url("/slow"), CancellationToken.None));

        Assert.Equal("Timed out after 1 s", e.Message);
        Assert.True(e.Retryable);
    }

    [Fact]
    public async Task Fetch_SendsTheAppsUserAgent_AndDecompressesGzip()
    {
        string? userAgent = null;
        _origin.Map("/gz", async (context, _) =>
        {
            userAgent = context.Request.Headers.UserAgent;
            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.ContentType = "application/rss+xml";
            await using var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest);
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(FeedSamples.Rss(2)));
        });

        var document = await Fetcher().FetchAsync(_origin.Url("/gz"), CancellationToken.None);

        Assert.StartsWith("AppFeedReader/", userAgent);
        Assert.Contains("<title>Item 2</title>", Encoding.UTF8.GetString(document.Body.ToArray()));
    }
}
