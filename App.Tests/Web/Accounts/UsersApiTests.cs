using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Accounts;

public abstract class UsersApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AddUser_Returns201WithTheUser_WhoCanThenSignIn()
    {
        var response = await _app.Client.PostAsJsonAsync("/api/users", new { username = "alice", password = "alice's long passphrase", admin = false });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("id").GetInt64() > 0);
        Assert.Equal("alice", body.GetProperty("username").GetString());
        Assert.False(body.GetProperty("admin").GetBoolean());
        var alice = _app.CreateClient("alice", "alice's long passphrase");
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/feeds")).StatusCode);
        await using var db = _app.Db.Open();
        var stored = await db.Users.SingleAsync(u => u.Username == "alice");
        Assert.StartsWith("AQAAAA", stored.PasswordHash); // ASP.NET Core Identity's v3 format, never the password
    }

    [Fact]
    public async Task AddUser_MakesAnAdministrator_WhenAsked()
    {
        var (_, bob) = await _app.CreateUserAsync("bob", admin: true);

        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/queue")).StatusCode);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("ADMIN")]
    public async Task AddUser_Returns409_ForATakenName_WhateverItsCase(string username)
    {
        var response = await _app.Client.PostAsJsonAsync("/api/users", new { username, password = "a perfectly fine one" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("carol", "short")]
    [InlineData("carol", "password")]
    [InlineData("carol", "12345678")]
    [InlineData("carolcarol", "carolcarol")]
    [InlineData("carol", "aaaaaaaaaaaa")]
    [InlineData("carol", null)]
    [InlineData("", "a perfectly fine one")]
    [InlineData("carol smith", "a perfectly fine one")]
    public async Task AddUser_Returns400AndStoresNothing_ForAWeakPasswordOrABadName(string? username, string? password)
    {
        var response = await _app.Client.PostAsJsonAsync("/api/users", new { username, password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Users.CountAsync());
    }

    [Fact]
    public async Task UsersApi_Answers404_ToAUserWhoIsNotAnAdministrator()
    {
        var (_, bob) = await _app.CreateUserAsync("bob");

        var add = await bob.PostAsJsonAsync("/api/users", new { username = "mallory", password = "a perfectly fine one", admin = true });
        var list = await bob.GetAsync("/api/users");

        Assert.Equal(HttpStatusCode.NotFound, add.StatusCode);
        Assert.Equal("application/problem+json", add.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
        await using var db = _app.Db.Open();
        Assert.False(await db.Users.AnyAsync(u => u.Username == "mallory"));
    }

    [Fact]
    public async Task DeleteUser_RemovesWhatIsTheirs_AndFeedsOnlyTheyHad_ButKeepsSharedFeeds()
    {
        var (bobId, bob) = await _app.CreateUserAsync("bob");
        var shared = await Body(await _app.PostFeedAsync("https://shared.example/feed.xml"));
        await _app.PostFeedAsync("https://shared.example/feed.xml", bob);
        var own = await Body(await _app.PostFeedAsync("https://bob.example/feed.xml", bob));
        await bob.PostAsJsonAsync("/api/keys", new { name = "phone" });

        var response = await _app.Client.DeleteAsync($"/api/users/{bobId}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await using var db = _app.Db.Open();
        Assert.False(await db.Users.AnyAsync(u => u.Id == bobId));
        Assert.False(await db.Subscriptions.AnyAsync(s => s.UserId == bobId));
        Assert.False(await db.ApiKeys.AnyAsync());
        Assert.True(await db.Feeds.AnyAsync(f => f.Id == shared.GetProperty("feedId").GetInt64()));
        Assert.False(await db.Feeds.AnyAsync(f => f.Id == own.GetProperty("feedId").GetInt64()));
        Assert.Equal(1, await db.Jobs.CountAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await bob.GetAsync("/api/feeds")).StatusCode);
    }

    [Fact]
    public async Task DeleteUser_Refuses_TheAdministratorsOwnAccount()
    {
        var response = await _app.Client.DeleteAsync($"/api/users/{await _app.AdminIdAsync()}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync("/api/feeds")).StatusCode);
    }

    private static async Task<JsonElement> Body(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();
}

public sealed class UsersApiTestsOnSqlite() : UsersApiTests(DatabaseEngine.Sqlite);

public sealed class UsersApiTestsOnPostgres() : UsersApiTests(DatabaseEngine.Postgres);
