using System.Net;
using System.Text.RegularExpressions;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Accounts;

/// <summary>The settings page (password, keys) and the administrators' users page.</summary>
public abstract partial class AccountPagesTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Settings_CreatesAKeyShownOnce_ThatSignsIn_AndRevokesIt()
    {
        var created = await _app.PostFormAsync("/settings", "/settings?handler=CreateKey", new Dictionary<string, string> { ["KeyName"] = "NetNewsWire" });

        var html = await created.Content.ReadAsStringAsync();
        var key = NewKey().Match(html);
        Assert.True(key.Success, html);
        var client = _app.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Auth-Token", WebUtility.HtmlDecode(key.Groups[1].Value));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/feeds")).StatusCode);
        var later = await _app.Client.GetStringAsync("/settings");
        Assert.Contains("NetNewsWire", later);
        Assert.DoesNotContain(key.Groups[1].Value, later);

        await using var db = _app.Db.Open();
        var id = await db.ApiKeys.Select(k => k.Id).SingleAsync();
        var revoked = await _app.PostFormAsync("/settings", $"/settings?handler=RevokeKey&id={id}");

        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/feeds")).StatusCode);
    }

    [Fact]
    public async Task Settings_SaysWhy_WhenAKeyHasNoName()
    {
        var response = await _app.PostFormAsync("/settings", "/settings?handler=CreateKey", new Dictionary<string, string> { ["KeyName"] = " " });

        Assert.Contains("Give the key a name", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UsersPage_AddsAUser_WhoSignsIn_AndDeletesThem()
    {
        var added = await _app.PostFormAsync("/users", "/users?handler=Add", new Dictionary<string, string>
        {
            ["NewUsername"] = "carol",
            ["NewPassword"] = "carol's own passphrase",
        });

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Contains("Added the user &#x201C;carol&#x201D;.", await _app.Client.GetStringAsync("/users"));
        var carol = _app.CreateClient("carol", "carol's own passphrase");
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/api/feeds")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await carol.GetAsync("/users")).StatusCode);

        await using var db = _app.Db.Open();
        var id = await db.Users.Where(u => u.Username == "carol").Select(u => u.Id).SingleAsync();
        await _app.PostFormAsync("/users", $"/users?handler=Delete&id={id}");

        Assert.Equal(HttpStatusCode.Unauthorized, (await carol.GetAsync("/api/feeds")).StatusCode);
    }

    [Fact]
    public async Task UsersPage_SaysWhy_ForATakenNameOrAWeakPassword()
    {
        var taken = await _app.PostFormAsync("/users", "/users?handler=Add", new Dictionary<string, string>
        {
            ["NewUsername"] = "Admin",
            ["NewPassword"] = "a perfectly fine one",
        });
        var weak = await _app.PostFormAsync("/users", "/users?handler=Add", new Dictionary<string, string>
        {
            ["NewUsername"] = "dave",
            ["NewPassword"] = "dave",
        });

        Assert.Contains("is taken", await taken.Content.ReadAsStringAsync());
        Assert.Contains("at least 8 characters", await weak.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UsersPage_SetsAnotherUsersPassword_ForSomeoneWhoForgotTheirs()
    {
        var (id, old) = await _app.CreateUserAsync("erin");

        await _app.PostFormAsync("/users", $"/users?handler=Password&id={id}", new Dictionary<string, string> { ["password"] = "erin's new passphrase" });

        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/feeds")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateClient("erin", "erin's new passphrase").GetAsync("/api/feeds")).StatusCode);
    }

    [Fact]
    public async Task Navigation_ShowsTheQueueAndUsers_ToAdministratorsOnly()
    {
        var (_, frank) = await _app.CreateUserAsync("frank");

        var admin = await _app.Client.GetStringAsync("/");
        var user = await frank.GetStringAsync("/");

        Assert.Contains("href=\"/jobs\"", admin);
        Assert.Contains("href=\"/users\"", admin);
        Assert.DoesNotContain("href=\"/jobs\"", user);
        Assert.DoesNotContain("href=\"/users\"", user);
        Assert.Contains("href=\"/settings\"", user);
        Assert.Contains("action=\"/logout\"", user);
    }

    [GeneratedRegex("<code class=\"secret\" data-new-key>([^<]+)</code>")]
    private static partial Regex NewKey();
}

public sealed class AccountPagesTestsOnSqlite() : AccountPagesTests(DatabaseEngine.Sqlite);

public sealed class AccountPagesTestsOnPostgres() : AccountPagesTests(DatabaseEngine.Postgres);
