using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;

namespace App.Tests.Web.Accounts;

public abstract class SignInTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(new Dictionary<string, string>
    {
        ["Auth:FailedSignInsPerUsername"] = "3",
        ["Auth:FailedSignInsPerAddress"] = "6",
    }, engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/", "/login?returnUrl=%2F")]
    [InlineData("/feeds/1?before=5", "/login?returnUrl=%2Ffeeds%2F1%3Fbefore%3D5")]
    [InlineData("/settings", "/login?returnUrl=%2Fsettings")]
    public async Task Pages_RedirectToTheSignInForm_WithoutASession(string path, string expected)
    {
        var response = await _app.CreateAnonymousClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.PathAndQuery ?? response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("GET", "/api/feeds")]
    [InlineData("POST", "/api/feeds")]
    [InlineData("DELETE", "/api/feeds/1")]
    [InlineData("GET", "/api/jobs/1")]
    [InlineData("GET", "/api/items")]
    [InlineData("GET", "/api/keys")]
    [InlineData("GET", "/openapi/v1.json")]
    [InlineData("GET", "/opml/export")]
    public async Task Api_Answers401Problem_WithoutCredentials(string method, string path)
    {
        var client = _app.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = JsonContent.Create(new { url = "https://example.com/feed.xml" });
        }

        var response = await client.SendAsync(request);

        if (path.StartsWith("/api", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("X-Auth-Token", problem.GetProperty("detail").GetString());
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
        await using var db = _app.Db.Open();
        Assert.Empty(db.Feeds);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/login")]
    [InlineData("/css/app.css")]
    [InlineData("/js/page-post.js")]
    public async Task TheSignInPageHealthAndStaticFiles_NeedNoUser(string path)
    {
        var response = await _app.CreateAnonymousClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SignIn_SetsAnHttpOnlyLaxSessionCookie_AndGoesBackToTheLocalReturnUrl()
    {
        var client = _app.CreateAnonymousClient();

        var response = await SignInAsync(client, WebApp.AdminName, WebApp.AdminPassword, "/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/settings", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("feedreader.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        // Plain HTTP here; under HTTPS the cookie is marked Secure (SameAsRequest).
        Assert.DoesNotContain("secure", cookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
        var settings = await client.GetAsync("/settings");
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Contains("Signed in as <strong>admin</strong>", await settings.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task SignIn_GoesHome_WhenTheReturnUrlIsNotLocal(string returnUrl)
    {
        var response = await SignInAsync(_app.CreateAnonymousClient(), WebApp.AdminName, WebApp.AdminPassword, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignInForm_HasInputsNamedUsernameAndPassword_AndASubmitButton()
    {
        var html = await _app.CreateAnonymousClient().GetStringAsync("/login?returnUrl=%2Ffeeds%2F1");

        Assert.Contains("name=\"username\"", html);
        Assert.Contains("name=\"password\" type=\"password\"", html);
        Assert.Contains("<button type=\"submit\">Sign in</button>", html);
        Assert.Contains("name=\"returnUrl\" value=\"/feeds/1\"", html);
    }

    [Fact]
    public async Task SignIn_IgnoresTheUsernamesLetterCase()
    {
        var response = await SignInAsync(_app.CreateAnonymousClient(), "ADMIN", WebApp.AdminPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task SignIn_SaysWhatWentWrong_AndSetsNoCookie_ForAWrongPassword()
    {
        var response = await SignInAsync(_app.CreateAnonymousClient(), WebApp.AdminName, "not the password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong username or password.", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies)
            && cookies.Any(c => c.StartsWith("feedreader.session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SignIn_IsRefused_WithoutTheFormsAntiforgeryToken()
    {
        var response = await _app.CreateAnonymousClient().PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = WebApp.AdminName,
            ["password"] = WebApp.AdminPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task FailedSignIns_AreThrottledPerUsername_EvenTheRightPasswordThen_AndOtherUsersAreNot()
    {
        await _app.CreateUserAsync("bob");
        var client = _app.CreateAnonymousClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, WebApp.AdminName, $"guess {i}")).StatusCode);
        }

        var refused = await SignInAsync(client, WebApp.AdminName, WebApp.AdminPassword);
        var basic = await _app.Client.GetAsync("/api/feeds");
        var other = await SignInAsync(_app.CreateAnonymousClient(), "bob", WebApp.UserPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Too many failed sign-ins", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, basic.StatusCode);
        Assert.True(basic.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", basic.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
    }

    [Fact]
    public async Task FailedSignIns_AreThrottledPerClientAddress_WhateverTheUsername()
    {
        var client = _app.CreateAnonymousClient();
        for (var i = 0; i < 6; i++)
        {
            await SignInAsync(client, $"nobody{i}", "guess");
        }

        var refused = await SignInAsync(client, WebApp.AdminName, WebApp.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        var client = _app.CreateAnonymousClient();
        await SignInAsync(client, WebApp.AdminName, WebApp.AdminPassword);

        var response = await _app.PostFormAsync("/settings", "/logout", client: client);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/settings")).StatusCode);
    }

    [Fact]
    public async Task ChangingThePassword_EndsOtherSessions_AndTheNewOneSignsIn()
    {
        var other = _app.CreateAnonymousClient();
        await SignInAsync(other, WebApp.AdminName, WebApp.AdminPassword);
        var client = _app.CreateAnonymousClient();
        await SignInAsync(client, WebApp.AdminName, WebApp.AdminPassword);

        var response = await _app.PostFormAsync("/settings", "/settings?handler=Password", new Dictionary<string, string>
        {
            ["CurrentPassword"] = WebApp.AdminPassword,
            ["NewPassword"] = "a brand new passphrase",
            ["ConfirmPassword"] = "a brand new passphrase",
        }, client);

        Assert.Equal("/login", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Client.GetAsync("/api/feeds")).StatusCode);
        var fresh = _app.CreateClient(WebApp.AdminName, "a brand new passphrase");
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/feeds")).StatusCode);
    }

    [Fact]
    public async Task ChangingThePassword_NeedsTheCurrentOne_AndAStrongNewOne()
    {
        var wrongCurrent = await ChangePasswordAsync("not it", "a brand new passphrase");
        var weak = await ChangePasswordAsync(WebApp.AdminPassword, "12345678");

        Assert.Contains("The current password is not right.", wrongCurrent);
        Assert.Contains("too easy to guess", weak);
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync("/api/feeds")).StatusCode);
    }

    [Fact]
    public async Task Basic_Answers401Problem_ForWrongOrMalformedCredentials()
    {
        var wrong = await _app.CreateClient(WebApp.AdminName, "nope").GetAsync("/api/feeds");
        var malformed = _app.CreateAnonymousClient();
        malformed.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic !!!");
        var bad = await malformed.GetAsync("/api/feeds");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Wrong username or password.", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.False(wrong.Headers.Contains("WWW-Authenticate"));
    }

    private async Task<string> ChangePasswordAsync(string current, string next)
    {
        var response = await _app.PostFormAsync("/settings", "/settings?handler=Password", new Dictionary<string, string>
        {
            ["CurrentPassword"] = current,
            ["NewPassword"] = next,
            ["ConfirmPassword"] = next,
        });
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string username, string password, string? returnUrl = null)
    {
        var page = await client.GetStringAsync(returnUrl is null ? "/login" : $"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebApp.AntiforgeryToken(page),
            ["username"] = username,
            ["password"] = password,
        };
        if (returnUrl is not null)
        {
            form["returnUrl"] = returnUrl;
        }
        return await client.PostAsync("/login", new FormUrlEncodedContent(form));
    }
}

public sealed class SignInTestsOnSqlite() : SignInTests(DatabaseEngine.Sqlite);

public sealed class SignInTestsOnPostgres() : SignInTests(DatabaseEngine.Postgres);
