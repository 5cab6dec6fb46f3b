using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Folders;

public abstract class FoldersApiTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private Feed _news = null!;
    private Feed _blog = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _news = await _app.AddFeedAsync("https://news.example/feed.xml", itemCount: 3, title: "News");
        _blog = await _app.AddFeedAsync("https://blog.example/feed.xml", itemCount: 2, title: "Blog");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AddMoveRenameDelete_AFolder_CountsItsFeedsAndUnread_AndDeletingKeepsTheFeeds()
    {
        var created = await _app.Client.PostAsJsonAsync("/api/folders", new { name = "  Tech  " });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var folder = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = folder.GetProperty("id").GetInt64();
        Assert.Equal("Tech", folder.GetProperty("name").GetString());
        Assert.Equal($"/api/folders/{id}", created.Headers.Location?.OriginalString);

        var moved = await _app.Client.PutAsJsonAsync($"/api/feeds/{_news.Id}/folder", new { folderId = id });
        Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        var listed = Assert.Single((await _app.Client.GetFromJsonAsync<JsonElement>("/api/folders")).EnumerateArray());
        Assert.Equal(1, listed.GetProperty("feedCount").GetInt32());
        Assert.Equal(3, listed.GetProperty("unreadCount").GetInt32());
        var feed = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{_news.Id}");
        Assert.Equal(id, feed.GetProperty("folderId").GetInt64());

        var renamed = await _app.Client.PatchAsJsonAsync($"/api/folders/{id}", new { name = "Technology" });
        Assert.Equal("Technology", (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _app.Client.DeleteAsync($"/api/folders/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync($"/api/folders/{id}")).StatusCode);
        var after = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{_news.Id}");
        Assert.Equal(JsonValueKind.Null, after.GetProperty("folderId").ValueKind);
    }

    [Fact]
    public async Task Folders_RefuseEmptyAndTakenNames_AndAnotherUsersFolderIs404()
    {
        var id = await AddFolderAsync("Tech");

        var empty = await _app.Client.PostAsJsonAsync("/api/folders", new { name = " " });
        var taken = await _app.Client.PostAsJsonAsync("/api/folders", new { name = "TECH" });
        var tooLong = await _app.Client.PostAsJsonAsync("/api/folders", new { name = new string('x', 201) });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var other = await AddFolderAsync("Other");
        Assert.Equal(HttpStatusCode.Conflict, (await _app.Client.PatchAsJsonAsync($"/api/folders/{other}", new { name = "tech" })).StatusCode);

        var (_, bob) = await _app.CreateUserAsync("bob");
        await _app.PostFeedAsync(_news.Url, bob);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/folders/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PatchAsJsonAsync($"/api/folders/{id}", new { name = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/api/folders/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PutAsJsonAsync($"/api/feeds/{_news.Id}/folder", new { folderId = id })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/items?folderId={id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.PutAsJsonAsync($"/api/feeds/424242/folder", new { folderId = id })).StatusCode);
        // Bob may name a folder of his own as the administrator named theirs.
        Assert.Equal(HttpStatusCode.Created, (await bob.PostAsJsonAsync("/api/folders", new { name = "Tech" })).StatusCode);
        Assert.DoesNotContain((await bob.GetFromJsonAsync<JsonElement>("/api/folders")).EnumerateArray(), f => f.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task Items_FilterByFolder_WithUnreadAndStarred()
    {
        var id = await AddFolderAsync("Tech");
        await _app.Client.PutAsJsonAsync($"/api/feeds/{_blog.Id}/folder", new { folderId = id });
        var blogIds = _blog.Items.Select(i => i.Id).OrderDescending().ToList();
        await _app.Client.PatchAsJsonAsync($"/api/items/{blogIds[0]}", new { read = true, starred = true });

        Assert.Equal(blogIds, Ids(await ListAsync($"/api/items?folderId={id}")));
        Assert.Equal([blogIds[1]], Ids(await ListAsync($"/api/items?folderId={id}&unread=true")));
        Assert.Equal([blogIds[0]], Ids(await ListAsync($"/api/items?folderId={id}&starred=true")));
        Assert.Equal([blogIds[1]], Ids(await ListAsync($"/api/items?folderId={id}&limit=1&before={blogIds[0]}")));
    }

    [Fact]
    public async Task OpmlImport_KeepsFolders_NestedOnesAsTheirPath_AndExportWritesThemBack()
    {
        var opml = Encoding.UTF8.GetBytes("""
            <?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>s</title></head><body>
            <outline text="Tech"><outline text="A" xmlUrl="https://a.example/feed"/>
              <outline text="Databases"><outline text="B" xmlUrl="https://b.example/feed"/></outline></outline>
            <outline text="C" xmlUrl="https://c.example/feed"/>
            <outline title="tech" text="x"><outline text="D" xmlUrl="https://d.example/feed"/></outline>
            </body></opml>
            """);

        await _app.UploadOpmlAsync(opml);

        await using (var db = _app.Db.Open())
        {
            var folderOf = await db.Subscriptions.Where(s => s.Feed.Url != _news.Url && s.Feed.Url != _blog.Url)
                .Select(s => new { s.Feed.Url, Folder = db.Folders.Where(f => f.Id == s.FolderId).Select(f => f.Name).FirstOrDefault() })
                .ToDictionaryAsync(x => x.Url, x => x.Folder);
            Assert.Equal("Tech", folderOf["https://a.example/feed"]);
            Assert.Equal("Tech / Databases", folderOf["https://b.example/feed"]);
            Assert.Null(folderOf["https://c.example/feed"]);
            // Folder names compare without letter case: "tech" is the same folder.
            Assert.Equal("Tech", folderOf["https://d.example/feed"]);
            Assert.Equal(2, await db.Folders.CountAsync());
        }

        var exported = XDocument.Parse(await _app.Client.GetStringAsync("/opml/export"));
        var body = exported.Root!.Element("body")!;
        var tech = body.Elements("outline").Single(o => (string?)o.Attribute("text") == "Tech");
        Assert.Equal(["https://a.example/feed", "https://d.example/feed"],
            tech.Elements("outline").Select(o => (string?)o.Attribute("xmlUrl")).Order());
        var nested = body.Elements("outline").Single(o => (string?)o.Attribute("text") == "Tech / Databases");
        Assert.Equal("https://b.example/feed", (string?)nested.Elements("outline").Single().Attribute("xmlUrl"));
        Assert.Contains(body.Elements("outline"), o => (string?)o.Attribute("xmlUrl") == "https://c.example/feed");
    }

    [Fact]
    public async Task FeedsList_GroupsFeedsByFolder_WithTheFoldersUnreadCount()
    {
        var id = await AddFolderAsync("Tech");
        await AddFolderAsync("Empty");
        await _app.Client.PutAsJsonAsync($"/api/feeds/{_news.Id}/folder", new { folderId = id });

        var page = await _app.Client.GetStringAsync("/");

        var folderAt = page.IndexOf($"data-folder-id=\"{id}\"", StringComparison.Ordinal);
        var noneAt = page.IndexOf("Not in a folder", StringComparison.Ordinal);
        Assert.True(folderAt > 0 && noneAt > folderAt, "the folder comes before the feeds in none");
        var newsAt = page.IndexOf($"/feeds/{_news.Id}\"", StringComparison.Ordinal);
        var blogAt = page.IndexOf($"/feeds/{_blog.Id}\"", StringComparison.Ordinal);
        Assert.InRange(newsAt, folderAt, noneAt);
        Assert.True(blogAt > noneAt);
        Assert.Contains("3 unread</span>\n        </h2>", page.Replace("\r", "", StringComparison.Ordinal));
        Assert.Contains("No feeds in this folder.", page);
        Assert.Contains("All unread<span class=\"count\" data-river-unread> (5)</span>", page);
    }

    private async Task<long> AddFolderAsync(string name)
    {
        var response = await _app.Client.PostAsJsonAsync("/api/folders", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static IEnumerable<long> Ids(List<JsonElement> items) => items.Select(i => i.GetProperty("id").GetInt64());

    private async Task<List<JsonElement>> ListAsync(string path) =>
        [.. (await _app.Client.GetFromJsonAsync<JsonElement>(path)).EnumerateArray()];
}

public sealed class FoldersApiTestsOnSqlite() : FoldersApiTests(DatabaseEngine.Sqlite);

public sealed class FoldersApiTestsOnPostgres() : FoldersApiTests(DatabaseEngine.Postgres);
