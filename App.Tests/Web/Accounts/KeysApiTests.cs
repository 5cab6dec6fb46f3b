using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Accounts;

public abstract class KeysApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CreateKey_Returns201WithTheKeyOnce_StoresOnlyItsHash_AndTheKeySignsIn()
    {
        var response = await _app.Client.PostAsJsonAsync("/api/keys", new { name = "newsboat" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString()!;
        Assert.Equal("newsboat", created.GetProperty("name").GetString());
        Assert.True(key.Length >= 32);
        await using (var db = _app.Db.Open())
        {
            var stored = await db.ApiKeys.SingleAsync();
            Assert.NotEqual(key, stored.KeyHash);
            Assert.DoesNotContain(key, stored.KeyHash);
        }

        var client = KeyClient(key);
        var feeds = await client.GetAsync("/api/feeds");
        var added = await client.PostAsJsonAsync("/api/feeds", new { url = "https://example.com/feed.xml" });

        Assert.Equal(HttpStatusCode.OK, feeds.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, added.StatusCode);
    }

    [Fact]
    public async Task ListKeys_ShowsNamesAndTimes_NeverTheKey()
    {
        var key = await CreateAsync("phone");
        await KeyClient(key).GetAsync("/api/feeds");

        var list = await _app.Client.GetFromJsonAsync<JsonElement>("/api/keys");

        var entry = Assert.Single(list.EnumerateArray());
        Assert.Equal("phone", entry.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, entry.GetProperty("createdAt").ValueKind);
        Assert.Equal(JsonValueKind.String, entry.GetProperty("lastUsedAt").ValueKind);
        Assert.False(entry.TryGetProperty("key", out _));
        Assert.DoesNotContain(key, list.GetRawText());
    }

    [Fact]
    public async Task RevokeKey_Returns204_AndTheKeyIsRefusedAfter()
    {
        var key = await CreateAsync("laptop");
        var id = (await _app.Client.GetFromJsonAsync<JsonElement>("/api/keys"))[0].GetProperty("id").GetInt64();

        var response = await _app.Client.DeleteAsync($"/api/keys/{id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var refused = await KeyClient(key).GetAsync("/api/feeds");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Keys_AreEachUsersOwn()
    {
        var adminKey = await CreateAsync("admin's");
        var adminKeyId = (await _app.Client.GetFromJsonAsync<JsonElement>("/api/keys"))[0].GetProperty("id").GetInt64();
        var (_, bob) = await _app.CreateUserAsync("bob");

        var list = await bob.GetFromJsonAsync<JsonElement>("/api/keys");
        var revoke = await bob.DeleteAsync($"/api/keys/{adminKeyId}");

        Assert.Equal(0, list.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await KeyClient(adminKey).GetAsync("/api/feeds")).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task CreateKey_Returns400_WithoutAName(string? name)
    {
        var response = await _app.Client.PostAsJsonAsync("/api/keys", new { name });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = _app.Db.Open();
        Assert.False(await db.ApiKeys.AnyAsync());
    }

    [Fact]
    public async Task AnUnknownKey_Answers401Problem()
    {
        var response = await KeyClient("not-a-key-at-all").GetAsync("/api/feeds");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<string> CreateAsync(string name)
    {
        var response = await _app.Client.PostAsJsonAsync("/api/keys", new { name });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private HttpClient KeyClient(string key)
    {
        var client = _app.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Auth-Token", key);
        return client;
    }
}

public sealed class KeysApiTestsOnSqlite() : KeysApiTests(DatabaseEngine.Sqlite);

public sealed class KeysApiTestsOnPostgres() : KeysApiTests(DatabaseEngine.Postgres);
