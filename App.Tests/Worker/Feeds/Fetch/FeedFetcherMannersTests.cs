using System.IO.Compression;
using System.Net;
using System.Text;
using App.Tests.Support;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace App.Tests.Worker.Feeds.Fetch;

/// <summary>Redirects, conditional GET, compression and throttling against a real origin.</summary>
public sealed class FeedFetcherMannersTests : IAsyncLifetime
{
    private FeedServer _origin = null!;

    public async Task InitializeAsync() => _origin = await FeedServer.StartAsync();

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    private void Redirect(string from, string to, int status) => _origin.Map(from, (context, _) =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = to;
        return Task.CompletedTask;
    });

    [Fact]
    public async Task PermanentRedirects_MoveTheStoredUrl()
    {
        _origin.Serve("/c", FeedSamples.Rss(1));
        Redirect("/a", "/b", 301);
        Redirect("/b", "/c", 308);

        var document = await FeedFetcherTests.Fetcher().FetchAsync(_origin.Url("/a"), CancellationToken.None);

        Assert.Equal(_origin.Url("/c"), document.Url);
        Assert.Equal(_origin.Url("/c"), document.PermanentUrl);
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task ATemporaryRedirect_StopsTheStoredUrlWhereItIs(int temporary)
    {
        _origin.Serve("/d", FeedSamples.Rss(1));
        Redirect("/a", "/b", 301);
        Redirect("/b", "/c", temporary);
        Redirect("/c", "/d", 301);

        var document = await FeedFetcherTests.Fetcher().FetchAsync(_origin.Url("/a"), CancellationToken.None);

        Assert.Equal(_origin.Url("/d"), document.Url);
        Assert.Equal(_origin.Url("/b"), document.PermanentUrl);
    }

    [Fact]
    public async Task ARedirectLoop_StopsAfterFiveHops()
    {
        Redirect("/loop", "/loop", 302);

        var e = await Assert.ThrowsAsync<FeedException>(() => FeedFetcherTests.Fetcher().FetchAsync(_origin.Url("/loop"), CancellationToken.None));

        Assert.Equal("Too many redirects", e.Message);
        Assert.False(e.Retryable);
        Assert.Equal(1 + FeedFetcher.MaxRedirects, _origin.Hits("/loop"));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/feed.xml")]
    public async Task ARedirectToAnotherScheme_IsRefused(string target)
    {
        Redirect("/away", target, 302);

        var e = await Assert.ThrowsAsync<FeedException>(() => FeedFetcherTests.Fetcher().FetchAsync(_origin.Url("/away"), CancellationToken.None));

        Assert.StartsWith("Only http and https addresses can be fetched", e.Message);
        Assert.False(e.Retryable);
    }

    [Fact]
    public async Task TheGuard_ResolvesHostNames_AndRefusesLocalhost()
    {
        _origin.Serve("/feed.xml", FeedSamples.Rss(1));
        var byName = new Uri($"http://localhost:{_origin.BaseUrl.Port}/feed.xml");

        var e = await Assert.ThrowsAsync<FeedException>(() => FeedFetcherTests.Fetcher(allowPrivate: false).FetchAsync(byName, CancellationToken.None));

        Assert.Matches(@"^Blocked: (127\.0\.0\.1|::1) is a private address$", e.Message);
        Assert.Equal(0, _origin.Hits("/feed.xml"));
    }

    [Theory]
    [InlineData("http://10.1.2.3/feed.xml", "10.1.2.3")]
    [InlineData("http://192.168.0.10:8080/feed.xml", "192.168.0.10")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://100.64.1.1/feed.xml", "100.64.1.1")]
    [InlineData("http://[::1]/feed.xml", "::1")]
    [InlineData("http://[fd00::1]/feed.xml", "fd00::1")]
    [InlineData("http://[::ffff:10.0.0.1]/feed.xml", "::ffff:10.0.0.1")]
    public async Task TheGuard_RefusesEachPrivateAddressClass_BeforeConnecting(string url, string address)
    {
        var e = await Assert.ThrowsAsync<FeedException>(() => FeedFetcherTests.Fetcher(allowPrivate: false).FetchAsync(new Uri(url), CancellationToken.None));

        Assert.Equal($"Blocked: {address} is a private address", e.Message);
        Assert.False(e.Retryable);
    }

    [Fact]
    public async Task StoredValidators_GetA304_WithoutABody()
    {
        string? sentEtag = null, sentSince = null;
        _origin.Map("/cond.xml", async (context, _) =>
        {
            sentEtag = context.Request.Headers.IfNoneMatch;
            sentSince = context.Request.Headers.IfModifiedSince;
            if (sentEtag == "\"v1\"")
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.LastModified = "Wed, 07 Jan 2026 10:00:00 GMT";
            await context.Response.WriteAsync(FeedSamples.Rss(1));
        });
        var fetcher = FeedFetcherTests.Fetcher();

        var first = await fetcher.FetchAsync(_origin.Url("/cond.xml"), CancellationToken.None);
        var second = await fetcher.FetchAsync(_origin.Url("/cond.xml"), CancellationToken.None, new Validators(first.ETag, first.LastModified));

        Assert.False(first.NotModified);
        Assert.Equal("\"v1\"", first.ETag);
        Assert.Equal("Wed, 07 Jan 2026 10:00:00 GMT", first.LastModified);
        Assert.True(second.NotModified);
        Assert.Equal(0, second.Body.Length);
        Assert.Equal("\"v1\"", sentEtag);
        Assert.Equal("Wed, 07 Jan 2026 10:00:00 GMT", sentSince);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("deflate")]
    [InlineData("gzip")]
    public async Task CompressedBodies_AreDecompressed(string encoding)
    {
        string? accepted = null;
        _origin.Map("/z", async (context, _) =>
        {
            accepted = context.Request.Headers.AcceptEncoding;
            context.Response.Headers.ContentEncoding = encoding;
            await using Stream compressed = encoding switch
            {
                "br" => new BrotliStream(context.Response.Body, CompressionLevel.Fastest),
                "deflate" => new ZLibStream(context.Response.Body, CompressionLevel.Fastest),
                _ => new GZipStream(context.Response.Body, CompressionLevel.Fastest),
            };
            await compressed.WriteAsync(Encoding.UTF8.GetBytes(FeedSamples.Rss(2)));
        });

        var document = await FeedFetcherTests.Fetcher().FetchAsync(_origin.Url("/z"), CancellationToken.None);

        Assert.Contains(encoding, accepted);
        Assert.Contains("<title>Item 2</title>", Encoding.UTF8.GetString(document.Body.ToArray()));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task RetryAfterSeconds_IsKept_OnThrottling(int status)
    {
        _origin.Map("/busy", (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        });
        var before = DateTime.UtcNow;

        var e = await Assert.ThrowsAsync<FeedException>(() => FeedFetcherTests.Fetcher().FetchAsync(_origin.Url("/busy"), CancellationToken.None));

        Assert.True(e.Retryable);
        Assert.NotNull(e.RetryNotBefore);
        Assert.InRange(e.RetryNotBefore.Value, before.AddSeconds(119), DateTime.UtcNow.AddSeconds(121));
    }

    [Fact]
    public async Task RetryAfterDate_IsKept()
    {
        var at = DateTimeOffset.UtcNow.AddHours(2);
        _origin.Map("/busy", (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = at.ToString("R");
            return Task.CompletedTask;
        });

        var e = await Assert.ThrowsAsync<FeedException>(() => FeedFetcherTests.Fetcher().FetchAsync(_origin.Url("/busy"), CancellationToken.None));

        Assert.Equal(new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero).UtcDateTime, e.RetryNotBefore);
    }

    [Fact]
    public async Task AtMostTwoFetches_RunAtOnceAgainstOneHost()
    {
        var inFlight = 0;
        var peak = 0;
        using var release = new SemaphoreSlim(0);
        _origin.Map("/held", async (context, _) =>
        {
            InterlockedMax(ref peak, Interlocked.Increment(ref inFlight));
            await release.WaitAsync(context.RequestAborted);
            Interlocked.Decrement(ref inFlight);
            await context.Response.WriteAsync(FeedSamples.Rss(1));
        });
        var fetcher = FeedFetcherTests.Fetcher();

        var fetches = Enumerable.Range(0, 4).Select(_ => fetcher.FetchAsync(_origin.Url("/held"), CancellationToken.None)).ToList();
        // Let the held requests go one at a time; each frees a connection for the next waiting fetch.
        for (var seen = 2; seen <= 4; seen++)
        {
            var expected = seen;
            await Eventually.TrueAsync(() => Task.FromResult(_origin.Hits("/held") >= expected && Volatile.Read(ref inFlight) == 2),
                TimeSpan.FromSeconds(10), $"{expected} requests seen, two in flight");
            release.Release();
        }
        release.Release(4);
        await Task.WhenAll(fetches);

        Assert.Equal(4, _origin.Hits("/held"));
        Assert.Equal(2, Volatile.Read(ref peak));
    }

    [Fact]
    public void TheFeedsClient_KeepsOneHandlerForTheProcess_SoThePerHostLimitIsNeverDoubled()
    {
        // The client factory's default replaces a handler every two minutes; the old one finishes
        // its requests while the new one opens connections of its own to the same hosts.
        var configuration = new ConfigurationBuilder().Build();
        using var services = new ServiceCollection().AddLogging().AddFeedHandlers(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(FeedFetcher.ClientName);

        Assert.Equal(Timeout.InfiniteTimeSpan, options.HandlerLifetime);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
