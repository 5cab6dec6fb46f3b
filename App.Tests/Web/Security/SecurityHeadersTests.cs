using System.Net;
using System.Net.Http.Json;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Security;

/// <summary>Security headers on every response, and the JSON API closed to other sites' pages.</summary>
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    private WebApp _web = null!;

    public async Task InitializeAsync() => _web = await WebApp.StartAsync();

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/jobs")]
    [InlineData("/api/queue")]
    [InlineData("/no-such-page")]
    public async Task EveryResponse_CarriesThePolicyAndFramingHeaders(string path)
    {
        using var response = await _web.Client.GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://evil.example")]
    public async Task ApiPost_FromAnotherSitesPage_IsRefusedAndStoresNothing(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/feeds")
        {
            Content = JsonContent.Create(new { url = "https://example.com/feed.xml" }),
        };
        request.Headers.Add(header, value);

        using var response = await _web.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await using var db = _web.Db.Open();
        Assert.False(await db.Feeds.AnyAsync());
        Assert.False(await db.Jobs.AnyAsync());
    }

    [Fact]
    public async Task ApiPost_WithoutBrowserHeaders_OrFromOurOwnPages_IsServed()
    {
        using var plain = await _web.PostFeedAsync("https://example.com/a.xml");
        using var own = new HttpRequestMessage(HttpMethod.Post, "/api/feeds")
        {
            Content = JsonContent.Create(new { url = "https://example.com/b.xml" }),
        };
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        own.Headers.Add("Origin", "http://localhost");
        using var ownResponse = await _web.Client.SendAsync(own);

        Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, ownResponse.StatusCode);
    }

    [Fact]
    public async Task ApiRead_FromAnotherSite_IsStillServed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/queue");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await _web.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
