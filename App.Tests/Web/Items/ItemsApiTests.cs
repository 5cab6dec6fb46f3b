using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;

namespace App.Tests.Web.Items;

public abstract class ItemsApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private Feed _first = null!;
    private Feed _second = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _first = await _app.AddFeedAsync("https://one.example/feed.xml", itemCount: 3);
        _second = await _app.AddFeedAsync("https://two.example/feed.xml", itemCount: 2);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ListItems_MergesTheCallersFeedsNewestFirst_WithReadAndStarred()
    {
        var items = await ListAsync("/api/items");

        Assert.Equal(AllIds().OrderDescending(), items.Select(i => i.GetProperty("id").GetInt64()));
        var newest = items[0];
        Assert.Equal(_second.Id, newest.GetProperty("feedId").GetInt64());
        Assert.False(newest.GetProperty("read").GetBoolean());
        Assert.False(newest.GetProperty("starred").GetBoolean());
        Assert.Equal("Item 2", newest.GetProperty("title").GetString());
        foreach (var field in new[] { "guid", "link", "author", "publishedAt", "contentHtml" })
        {
            Assert.True(newest.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task PatchItem_MarksReadAndStars_AndTheFiltersFollow()
    {
        var read = _first.Items[0].Id;
        var starred = _second.Items[1].Id;

        var r1 = await _app.Client.PatchAsJsonAsync($"/api/items/{read}", new { read = true });
        var r2 = await _app.Client.PatchAsJsonAsync($"/api/items/{starred}", new { starred = true });

        Assert.Equal(HttpStatusCode.NoContent, r1.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, r2.StatusCode);
        Assert.Equal(AllIds().Where(id => id != read).OrderDescending(), Ids(await ListAsync("/api/items?unread=true")));
        Assert.Equal([read], Ids(await ListAsync("/api/items?unread=false")));
        Assert.Equal([starred], Ids(await ListAsync("/api/items?starred=true")));
        Assert.Equal([starred], Ids(await ListAsync("/api/items?starred=true&unread=true")));
        Assert.Empty(await ListAsync("/api/items?starred=true&unread=false"));
        var item = (await ListAsync("/api/items")).Single(i => i.GetProperty("id").GetInt64() == read);
        Assert.True(item.GetProperty("read").GetBoolean());

        await _app.Client.PatchAsJsonAsync($"/api/items/{read}", new { read = false });
        await _app.Client.PatchAsJsonAsync($"/api/items/{starred}", new { starred = false });

        Assert.Equal(AllIds().OrderDescending(), Ids(await ListAsync("/api/items?unread=true")));
        Assert.Empty(await ListAsync("/api/items?starred=true"));
    }

    [Fact]
    public async Task ListItems_PagesByBefore_AndLimits()
    {
        var all = AllIds().OrderDescending().ToList();

        var page = await ListAsync($"/api/items?limit=2&before={all[1]}");

        Assert.Equal(all.Skip(2).Take(2), Ids(page));
    }

    [Fact]
    public async Task ListItems_Returns404_ForAnUnknownFolder()
    {
        var folder = await _app.Client.GetAsync("/api/items?folderId=424242");

        Assert.Equal(HttpStatusCode.NotFound, folder.StatusCode);
    }

    [Fact]
    public async Task PatchItem_Returns400_WithNothingToChange_And404_ForAnUnknownItem()
    {
        var empty = await _app.Client.PatchAsJsonAsync($"/api/items/{_first.Items[0].Id}", new { });
        var unknown = await _app.Client.PatchAsJsonAsync("/api/items/424242", new { read = true });

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task AStarredItem_StaysStarred_ForItsUserOnly()
    {
        var (_, bob) = await _app.CreateUserAsync("bob");
        await _app.PostFeedAsync(_first.Url, bob);
        var id = _first.Items[2].Id;

        await bob.PatchAsJsonAsync($"/api/items/{id}", new { starred = true, read = true });

        Assert.Equal([id], Ids(await ListAsync("/api/items?starred=true", bob)));
        Assert.Empty(await ListAsync("/api/items?starred=true"));
        Assert.Contains(id, Ids(await ListAsync("/api/items?unread=true")));
    }

    private IEnumerable<long> AllIds() => _first.Items.Concat(_second.Items).Select(i => i.Id);

    private static IEnumerable<long> Ids(List<JsonElement> items) => items.Select(i => i.GetProperty("id").GetInt64());

    private async Task<List<JsonElement>> ListAsync(string path, HttpClient? client = null) =>
        [.. (await (client ?? _app.Client).GetFromJsonAsync<JsonElement>(path)).EnumerateArray()];
}

public sealed class ItemsApiTestsOnSqlite() : ItemsApiTests(DatabaseEngine.Sqlite);

public sealed class ItemsApiTestsOnPostgres() : ItemsApiTests(DatabaseEngine.Postgres);
