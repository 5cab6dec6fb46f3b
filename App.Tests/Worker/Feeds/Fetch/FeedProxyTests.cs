using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using App.Worker.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Worker.Feeds.Fetch;

/// <summary>
/// Fetches go through a proxy only when Feeds:Proxy names one, and the private-address guard then
/// checks the target, not only the proxy it connects to. The "proxy" here is a FeedServer: it
/// answers the proxied request itself, which is enough to see whether a request went through it.
/// </summary>
public sealed class FeedProxyTests : IAsyncLifetime
{
    private FeedServer _origin = null!;
    private FeedServer _proxy = null!;

    public async Task InitializeAsync()
    {
        _origin = await FeedServer.StartAsync();
        _proxy = await FeedServer.StartAsync();
        _origin.Serve("/feed.xml", FeedSamples.Rss(1));
        _proxy.Serve("/feed.xml", FeedSamples.Rss(2));
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Fact]
    public async Task AConfiguredProxy_CarriesTheFetch()
    {
        var fetcher = FeedFetcherTests.Fetcher(proxy: _proxy.BaseUrl.ToString());

        await fetcher.FetchAsync(_origin.Url("/feed.xml"), CancellationToken.None);

        Assert.Equal(1, _proxy.Hits("/feed.xml"));
        Assert.Equal(0, _origin.Hits("/feed.xml"));
    }

    [Fact]
    public async Task AConfiguredProxy_OnAPrivateAddress_MayBeUsed_ForAPublicTarget()
    {
        var fetcher = FeedFetcherTests.Fetcher(allowPrivate: false, proxy: _proxy.BaseUrl.ToString());

        var document = await fetcher.FetchAsync(new Uri("http://93.184.216.34/feed.xml"), CancellationToken.None);

        Assert.Equal(1, _proxy.Hits("/feed.xml"));
        Assert.Equal(new Uri("http://93.184.216.34/feed.xml"), document.Url);
    }

    [Fact]
    public async Task AConfiguredProxy_IsNotAskedForAPrivateTarget()
    {
        var fetcher = FeedFetcherTests.Fetcher(allowPrivate: false, proxy: _proxy.BaseUrl.ToString());

        var e = await Assert.ThrowsAsync<FeedException>(() => fetcher.FetchAsync(_origin.Url("/feed.xml"), CancellationToken.None));

        Assert.Equal("Blocked: 127.0.0.1 is a private address", e.Message);
        Assert.False(e.Retryable);
        Assert.Equal(0, _proxy.Hits("/feed.xml"));
    }

    [Fact]
    public async Task TheEnvironmentsProxy_IsIgnored_ByAWorkerProcess()
    {
        // With http_proxy honoured, the guard would see only the proxy's address, and a name that
        // does not resolve here would still be fetched (by the proxy).
        using var db = await TempDatabase.CreateAsync();
        long feedId;
        await using (var context = db.Open())
        {
            var feed = new Feed { Url = "http://feeds.invalid/feed.xml", CreatedAt = DateTime.UtcNow };
            context.Feeds.Add(feed);
            await context.SaveChangesAsync();
            await db.Queue().EnqueueAsync(FeedJobs.Fetch(feed.Id, JobPriority.User));
            feedId = feed.Id;
        }
        using var worker = RunningProcess.StartWorker(db.ConnectionString, new Dictionary<string, string>
        {
            ["http_proxy"] = _proxy.BaseUrl.ToString(),
            ["HTTP_PROXY"] = _proxy.BaseUrl.ToString(),
        });

        var stored = await Eventually.GetAsync(async () =>
        {
            await using var context = db.Open();
            return await context.Feeds.AsNoTracking().SingleAsync(f => f.Id == feedId);
        }, f => f.LastError is not null || f.LastFetchedAt is not null, RunningProcess.Patience, "the fetch to end");

        Assert.Equal(0, _proxy.Hits("/feed.xml"));
        Assert.Equal("The host feeds.invalid could not be found", stored.LastError);
    }
}
