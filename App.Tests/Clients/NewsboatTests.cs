using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Clients;

/// <summary>
/// A real Google Reader client against the web on Kestrel: newsboat syncs the user's items and
/// read marks in both directions, and never another user's.
/// </summary>
public abstract class NewsboatTests(DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;
    private Feed _news = null!;
    private Feed _blog = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _web = await BrowserWeb.StartAsync(engine: engine);
        _news = await _web.AddFeedAsync("https://news.example/feed.xml", itemCount: 4, title: "News");
        _blog = await _web.AddFeedAsync("https://blog.example/feed.xml", itemCount: 2, title: "Blog");
        using var admin = _web.CreateClient();
        var created = await admin.PostAsJsonAsync("/api/keys", new { name = "newsboat" });
        _key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        // Another user's feed, which newsboat must never show.
        await admin.PostAsJsonAsync("/api/users", new { username = "bob", password = WebApp.UserPassword });
        using var bob = new HttpClient { BaseAddress = new Uri(_web.BaseUrl) };
        bob.DefaultRequestHeaders.Authorization = WebApp.BasicCredentials("bob", WebApp.UserPassword);
        await bob.PostAsJsonAsync("/api/feeds", new { url = "https://bobs.example/feed.xml" });
    }

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Reload_FillsItsCacheWithExactlyTheUsersItemsAndReadState()
    {
        using var admin = _web.CreateClient();
        await admin.PatchAsJsonAsync($"/api/items/{_news.Items[0].Id}", new { read = true });
        using var newsboat = Newsboat.Configure(_web.BaseUrl, WebApp.AdminName, _key);

        await newsboat.ReloadAsync();

        var articles = newsboat.Articles();
        var expected = _news.Items.Concat(_blog.Items).Select(i => Guid(i.Id)).Order();
        Assert.True(expected.SequenceEqual(articles.Select(a => a.Guid)), $"cache: {string.Join(", ", articles)}\n{newsboat.Log()}");
        Assert.Equal([Guid(_news.Items[0].Id)], articles.Where(a => !a.Unread).Select(a => a.Guid));
        Assert.Contains(articles, a => a.Title == "Item 4");
    }

    [Fact]
    public async Task AnItemMarkedReadOnTheServer_ShowsReadInNewsboat_AfterAReload()
    {
        using var newsboat = Newsboat.Configure(_web.BaseUrl, WebApp.AdminName, _key);
        await newsboat.ReloadAsync();
        Assert.All(newsboat.Articles(), a => Assert.True(a.Unread));

        using var admin = _web.CreateClient();
        await admin.PatchAsJsonAsync($"/api/items/{_blog.Items[1].Id}", new { read = true });
        await newsboat.ReloadAsync();

        Assert.Equal([Guid(_blog.Items[1].Id)], newsboat.Articles().Where(a => !a.Unread).Select(a => a.Guid));

        // And back: unread on the server is unread in newsboat again.
        await admin.PatchAsJsonAsync($"/api/items/{_blog.Items[1].Id}", new { read = false });
        await newsboat.ReloadAsync();
        Assert.All(newsboat.Articles(), a => Assert.True(a.Unread));
    }

    [Fact]
    public async Task MarkingReadInNewsboat_ShowsReadInTheWeb()
    {
        using var newsboat = Newsboat.Configure(_web.BaseUrl, WebApp.AdminName, _key);
        await newsboat.ReloadAsync();

        // The feed list shows "News" first; Enter opens it, N toggles its first article's read state.
        await newsboat.OpenUiAsync("News");
        newsboat.Press("Enter");
        await newsboat.ScreenAsync("Item 4");
        newsboat.Press("N");
        var read = await Eventually.GetAsync(ReadOnServerAsync, ids => ids.Count > 0, TimeSpan.FromSeconds(30), "an item read on the server");
        newsboat.Press("q", "q");

        var item = Assert.Single(read);
        Assert.Contains(item, _news.Items.Select(i => i.Id));
        using var admin = _web.CreateClient();
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/feeds/{_news.Id}");
        Assert.Equal(3, page.GetProperty("unreadCount").GetInt32());
        var items = await admin.GetFromJsonAsync<JsonElement>("/api/items?unread=false");
        Assert.Equal([item], items.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
    }

    private async Task<List<long>> ReadOnServerAsync()
    {
        await using var db = _web.Db.Open();
        var adminId = await db.Users.Where(u => u.Username == WebApp.AdminName).Select(u => u.Id).SingleAsync();
        var all = _news.Items.Concat(_blog.Items).Select(i => i.Id).ToList();
        var unread = await db.UnreadItems.Where(u => u.UserId == adminId).Select(u => u.ItemId).ToListAsync();
        return [.. all.Except(unread)];
    }

    private static string Guid(long itemId) => "tag:google.com,2005:reader/item/" + itemId.ToString("x16", CultureInfo.InvariantCulture);
}

public sealed class NewsboatTestsOnSqlite() : NewsboatTests(DatabaseEngine.Sqlite);

public sealed class NewsboatTestsOnPostgres() : NewsboatTests(DatabaseEngine.Postgres);
