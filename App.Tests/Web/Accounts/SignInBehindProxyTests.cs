using System.Net;
using App.Tests.Support;

namespace App.Tests.Web.Accounts;

/// <summary>
/// The session cookie over a real socket, as a TLS-terminating reverse proxy on the same machine
/// forwards it: Secure when the client used HTTPS, and failed sign-ins counted per forwarded client.
/// </summary>
public sealed class SignInBehindProxyTests : IAsyncLifetime
{
    private BrowserWeb _web = null!;

    public async Task InitializeAsync() => _web = await BrowserWeb.StartAsync(new Dictionary<string, string>
    {
        ["Auth:FailedSignInsPerAddress"] = "2",
    });

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task SessionCookie_IsSecure_WhenTheProxySaysTheClientUsedHttps()
    {
        using var client = AnonymousClient();

        var response = await SignInAsync(client, WebApp.AdminPassword, proto: "https");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("feedreader.session=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FailedSignIns_AreCountedPerForwardedClient()
    {
        using var client = AnonymousClient();
        await SignInAsync(client, "wrong", forwardedFor: "203.0.113.7");
        await SignInAsync(client, "wrong", forwardedFor: "203.0.113.7");

        var same = await SignInAsync(client, WebApp.AdminPassword, forwardedFor: "203.0.113.7");
        var other = await SignInAsync(client, WebApp.AdminPassword, forwardedFor: "198.51.100.9");

        Assert.Equal(HttpStatusCode.TooManyRequests, same.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
    }

    private HttpClient AnonymousClient() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true })
    {
        BaseAddress = new Uri(_web.BaseUrl),
    };

    private static async Task<HttpResponseMessage> SignInAsync(
        HttpClient client, string password, string proto = "http", string forwardedFor = "192.0.2.1")
    {
        var page = await client.GetStringAsync("/login");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = WebApp.AntiforgeryToken(page),
                ["username"] = WebApp.AdminName,
                ["password"] = password,
            }),
        };
        request.Headers.Add("X-Forwarded-Proto", proto);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }
}
