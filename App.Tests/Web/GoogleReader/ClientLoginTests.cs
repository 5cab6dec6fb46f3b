using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;

namespace App.Tests.Web.GoogleReader;

public abstract class ClientLoginTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        var created = await _app.Client.PostAsJsonAsync("/api/keys", new { name = "phone" });
        _key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // newsboat 2.21 (src/feedhqapi.cpp, retrieve_auth): a form with service, Email, Passwd, source,
    // accountType, continue; it reads the "Auth=" line. NetNewsWire (ReaderAPICaller.validateCredentials)
    // splits the lines on "=" the same way.
    [Fact]
    public async Task ClientLogin_WithAnApiKey_AnswersSidLsidAndAuthLines()
    {
        var response = await LoginAsync($"service=reader&Email={WebApp.AdminName}&Passwd={Uri.EscapeDataString(_key)}&source=newsboat%2F2.21&accountType=HOSTED_OR_GOOGLE&continue=http://www.google.com/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["SID", "LSID", "Auth"], lines.Select(l => l.Split('=')[0]));
        var token = lines[2]["Auth=".Length..];
        Assert.DoesNotContain(_key, token);
        var reader = _app.CreateAnonymousClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("GoogleLogin", "auth=" + token);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/reader/api/0/user-info")).StatusCode);
    }

    // Read You (GoogleReaderAPI.kt, reAuthenticate): output=json, Email, Passwd, client, accountType, service.
    [Fact]
    public async Task ClientLogin_AnswersJson_WithOutputJson()
    {
        var response = await LoginAsync($"output=json&Email={WebApp.AdminName}&Passwd={Uri.EscapeDataString(_key)}&client=ReadYou&accountType=HOSTED_OR_GOOGLE&service=reader");

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("Auth").GetString()));
        Assert.Equal(body.GetProperty("Auth").GetString(), body.GetProperty("SID").GetString());
    }

    [Fact]
    public async Task ClientLogin_RefusesTheSignInPassword_AnotherUsersKey_AndAnEmptyOne()
    {
        var password = await LoginAsync($"Email={WebApp.AdminName}&Passwd={Uri.EscapeDataString(WebApp.AdminPassword)}");
        await _app.CreateUserAsync("bob");
        var othersKey = await LoginAsync($"Email=bob&Passwd={Uri.EscapeDataString(_key)}");
        var empty = await LoginAsync($"Email={WebApp.AdminName}&Passwd=");

        foreach (var response in new[] { password, othersKey, empty })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Error=BadAuthentication", (await response.Content.ReadAsStringAsync()).Trim());
        }
    }

    [Fact]
    public async Task ATokenOfARevokedKey_Answers401WithTheBadTokenHeader()
    {
        var reader = await ReaderClient.LoginAsync(_app, _app.Client, WebApp.AdminName);
        var keys = await _app.Client.GetFromJsonAsync<JsonElement>("/api/keys");
        var id = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "reader app").GetProperty("id").GetInt64();

        await _app.Client.DeleteAsync($"/api/keys/{id}");
        var response = await reader.Http.GetAsync("/reader/api/0/subscription/list?output=json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("true", response.Headers.GetValues("X-Reader-Google-Bad-Token").Single());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("GoogleLogin auth=admin/1-0000000000000000000000000000000000000000")]
    [InlineData("GoogleLogin auth=garbage")]
    [InlineData("Basic YWRtaW46Y29ycmVjdCBob3JzZSBiYXR0ZXJ5")]
    public async Task ReaderApi_Answers401WithTheBadTokenHeader_WithoutAValidToken(string? authorization)
    {
        var client = _app.CreateAnonymousClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.GetAsync("/reader/api/0/subscription/list?output=json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("true", response.Headers.GetValues("X-Reader-Google-Bad-Token").Single());
    }

    // Miniflux and FreshRSS accept the token as T in a POST form when no header is sent.
    [Fact]
    public async Task APostSignsInWithTheTokenAsT_WithoutTheHeader()
    {
        var reader = await ReaderClient.LoginAsync(_app, _app.Client, WebApp.AdminName);
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);

        var response = await _app.CreateAnonymousClient().PostAsync("/reader/api/0/edit-tag", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["T"] = reader.Token,
            ["i"] = feed.Items[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["a"] = "user/-/state/com.google/read",
        }));

        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
        Assert.False(await _app.Db.IsUnreadAsync(await _app.AdminIdAsync(), feed.Items[0].Id));
    }

    private Task<HttpResponseMessage> LoginAsync(string form) =>
        _app.CreateAnonymousClient().PostAsync("/accounts/ClientLogin", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
}

public sealed class ClientLoginTestsOnSqlite() : ClientLoginTests(DatabaseEngine.Sqlite);

public sealed class ClientLoginTestsOnPostgres() : ClientLoginTests(DatabaseEngine.Postgres);
