using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Search;

/// <summary>GET /api/items?q= on each engine: FTS5 on SQLite, tsvector + GIN on PostgreSQL, read from the same syntax.</summary>
public abstract class SearchApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private Feed _first = null!;
    private Feed _second = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _first = await _app.AddFeedAsync("https://one.example/feed.xml", itemCount: 3);
        _second = await _app.AddFeedAsync("https://two.example/feed.xml", itemCount: 3);
        await SetTextAsync(_first.Items[0].Id, "Database tuning", "Indexes and plans.");
        await SetTextAsync(_second.Items[1].Id, "Weekly notes", "A guide to databases and their indexes.");
        await SetTextAsync(_second.Items[2].Id, "Gardening", "Tomatoes, mostly.");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Search_FindsTitlesAndText_ByWordOrPrefix_NewestFirst()
    {
        Assert.Equal([_second.Items[1].Id, _first.Items[0].Id], Ids(await ListAsync("/api/items?q=datab*")));
        Assert.Equal([_first.Items[0].Id], Ids(await ListAsync("/api/items?q=database")));
        Assert.Empty(await ListAsync("/api/items?q=datab"));
        Assert.Equal([_first.Items[0].Id], Ids(await ListAsync("/api/items?q=TUNING")));
        Assert.Equal([_second.Items[1].Id], Ids(await ListAsync("/api/items?q=guide%20index*")));
        Assert.Equal([_second.Items[2].Id, _first.Items[0].Id], Ids(await ListAsync("/api/items?q=tomato*%20OR%20tuning")));
        Assert.Empty(await ListAsync("/api/items?q=%22database%20guide%22"));
    }

    [Fact]
    public async Task Search_ReadsPhrasesNotAndAccents_AlikeOnEitherEngine()
    {
        await SetTextAsync(_first.Items[1].Id, "Café culture", "Crème brûlée, e-mail and a guide.");

        Assert.Equal([_second.Items[1].Id], Ids(await ListAsync("/api/items?q=%22guide%20to%20databases%22")));
        Assert.Equal([_second.Items[1].Id], Ids(await ListAsync("/api/items?q=datab*%20NOT%20tuning")));
        Assert.Equal([_second.Items[1].Id, _first.Items[1].Id], Ids(await ListAsync("/api/items?q=guide%20NOT%20tuning")));
        Assert.Equal([_first.Items[1].Id], Ids(await ListAsync("/api/items?q=cafe%20creme")));
        Assert.Equal([_first.Items[1].Id], Ids(await ListAsync("/api/items?q=CAFÉ")));
        Assert.Equal([_first.Items[1].Id], Ids(await ListAsync("/api/items?q=e-ma*")));
        Assert.Equal([_second.Items[2].Id, _first.Items[1].Id], Ids(await ListAsync("/api/items?q=tomato*%20OR%20%22creme%20brulee%22")));
    }

    [Fact]
    public async Task Search_KeepsToTheCallersFeeds()
    {
        var (_, bob) = await _app.CreateUserAsync("bob");
        await _app.PostFeedAsync(_second.Url, bob);
        var unsubscribed = await _app.Db.AddFeedAsync("https://three.example/feed.xml", itemCount: 1);
        await SetTextAsync(unsubscribed.Items[0].Id, "Databases everywhere", null);

        Assert.Equal([_second.Items[1].Id], Ids(await ListAsync("/api/items?q=datab*", bob)));
        Assert.Equal([_second.Items[1].Id, _first.Items[0].Id], Ids(await ListAsync("/api/items?q=datab*")));
    }

    [Fact]
    public async Task Search_PagesByBefore_AndLimit()
    {
        await using (var db = _app.Db.Open())
        {
            await db.Database.ExecuteSqlRawAsync("""UPDATE "FeedItems" SET "ContentText" = 'common words ' || "Id" """);
        }
        var all = _first.Items.Concat(_second.Items).Select(i => i.Id).OrderDescending().ToList();

        var first = Ids(await ListAsync("/api/items?q=common&limit=4"));
        var next = Ids(await ListAsync($"/api/items?q=common&limit=4&before={first[^1]}"));

        Assert.Equal(all.Take(4), first);
        Assert.Equal(all.Skip(4), next);
    }

    // Among few unread or starred rows SQLite starts from them, unless a prefix is longer than the
    // index keeps; then (and on other filters) the index leads. Each plan gives the same answer.
    [Theory]
    [InlineData("datab*")]
    [InlineData("dat*")]
    [InlineData("database OR databases")]
    public async Task Search_CombinesWithUnreadStarredAndFolder(string search)
    {
        var q = Uri.EscapeDataString(search);
        var tuning = _first.Items[0].Id;
        var guide = _second.Items[1].Id;
        await _app.Client.PatchAsJsonAsync($"/api/items/{tuning}", new { read = true, starred = true });
        var created = await _app.Client.PostAsJsonAsync("/api/folders", new { name = "Tech" });
        var folder = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await _app.Client.PutAsJsonAsync($"/api/feeds/{_second.Id}/folder", new { folderId = folder });

        Assert.Equal([guide], Ids(await ListAsync($"/api/items?q={q}&unread=true")));
        Assert.Equal([tuning], Ids(await ListAsync($"/api/items?q={q}&unread=false")));
        Assert.Equal([tuning], Ids(await ListAsync($"/api/items?q={q}&starred=true")));
        Assert.Empty(await ListAsync($"/api/items?q={q}&starred=true&unread=true"));
        Assert.Equal([guide], Ids(await ListAsync($"/api/items?q={q}&folderId={folder}")));
    }

    [Theory]
    [InlineData("OR")]
    [InlineData("database OR")]
    [InlineData("NOT tuning")]
    [InlineData("database AND OR tuning")]
    public async Task Search_Returns400ProblemJson_ForASearchThatCannotBeRead(string q)
    {
        var response = await _app.Client.GetAsync("/api/items?q=" + Uri.EscapeDataString(q));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("could not be read", detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  -- ")]
    public async Task Search_Returns400_ForASearchWithNoWord(string q)
    {
        var response = await _app.Client.GetAsync("/api/items?q=" + Uri.EscapeDataString(q));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("title:datab")]
    [InlineData("datab* -tuning")]
    [InlineData("(datab ^ \"unclosed")]
    [InlineData("NEAR(datab guide)")]
    [InlineData("it's & | ! <-> :* 'quoted'")]
    [InlineData("\\ \\' a\\b")]
    public async Task Search_TreatsOperatorCharactersInWords_AsText(string q)
    {
        var response = await _app.Client.GetAsync("/api/items?q=" + Uri.EscapeDataString(q));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task SetTextAsync(long itemId, string title, string? text)
    {
        await using var db = _app.Db.Open();
        await db.Database.ExecuteSqlInterpolatedAsync($"""UPDATE "FeedItems" SET "Title" = {title}, "ContentText" = {text} WHERE "Id" = {itemId}""");
    }

    private static List<long> Ids(List<JsonElement> items) => [.. items.Select(i => i.GetProperty("id").GetInt64())];

    private async Task<List<JsonElement>> ListAsync(string path, HttpClient? client = null) =>
        [.. (await (client ?? _app.Client).GetFromJsonAsync<JsonElement>(path)).EnumerateArray()];
}

public sealed class SearchApiTestsOnSqlite() : SearchApiTests(DatabaseEngine.Sqlite);

public sealed class SearchApiTestsOnPostgres() : SearchApiTests(DatabaseEngine.Postgres);
