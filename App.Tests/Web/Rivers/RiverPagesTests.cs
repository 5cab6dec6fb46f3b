using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;

namespace App.Tests.Web.Rivers;

public abstract partial class RiverPagesTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private Feed _news = null!;
    private Feed _blog = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _news = await _app.AddFeedAsync("https://news.example/feed.xml", itemCount: 40, title: "News");
        _blog = await _app.AddFeedAsync("https://blog.example/feed.xml", itemCount: 30, title: "Blog");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private List<long> AllIds => [.. _news.Items.Concat(_blog.Items).Select(i => i.Id).OrderDescending()];

    [Fact]
    public async Task Unread_PagesNewestFirstByBefore_AndOldestFirstByAfter()
    {
        var first = Ids(await _app.Client.GetStringAsync("/unread"));
        Assert.Equal(AllIds.Take(50), first);
        var older = Ids(await _app.Client.GetStringAsync($"/unread?before={first[^1]}"));
        Assert.Equal(AllIds.Skip(50), older);

        var oldest = Ids(await _app.Client.GetStringAsync("/unread?order=oldest"));
        Assert.Equal(AllIds.Order().Take(50), oldest);
        var newer = Ids(await _app.Client.GetStringAsync($"/unread?order=oldest&after={oldest[^1]}"));
        Assert.Equal(AllIds.Order().Skip(50), newer);
    }

    [Fact]
    public async Task Rivers_HoldTheirItems_ReadOnesLeaveUnread_StarredOnesShowOnStarred()
    {
        var read = _news.Items[^1].Id;
        await _app.Client.PatchAsJsonAsync($"/api/items/{read}", new { read = true, starred = true });

        Assert.DoesNotContain(read, Ids(await _app.Client.GetStringAsync("/unread")));
        Assert.Contains(read, Ids(await _app.Client.GetStringAsync("/all")));
        Assert.Equal([read], Ids(await _app.Client.GetStringAsync("/starred")));
        Assert.Contains("69 unread", await _app.Client.GetStringAsync("/unread"));
    }

    [Fact]
    public async Task FolderRiver_ShowsTheFoldersUnreadItems_AllWithShowAll_And404ForAnotherUser()
    {
        var created = await _app.Client.PostAsJsonAsync("/api/folders", new { name = "Tech" });
        var folder = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await _app.Client.PutAsJsonAsync($"/api/feeds/{_blog.Id}/folder", new { folderId = folder });
        var read = _blog.Items[0].Id;
        await _app.Client.PatchAsJsonAsync($"/api/items/{read}", new { read = true });
        var blogIds = _blog.Items.Select(i => i.Id).OrderDescending().ToList();

        Assert.Equal(blogIds.Where(id => id != read), Ids(await _app.Client.GetStringAsync($"/folders/{folder}")));
        Assert.Equal(blogIds, Ids(await _app.Client.GetStringAsync($"/folders/{folder}?show=all")));

        var (_, bob) = await _app.CreateUserAsync("bob");
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/folders/{folder}")).StatusCode);
        Assert.Empty(Ids(await bob.GetStringAsync("/all")));
    }

    [Fact]
    public async Task MarkAllRead_OfAFolder_MarksOnlyItsFeeds_UpToTheItemGiven()
    {
        var created = await _app.Client.PostAsJsonAsync("/api/folders", new { name = "Tech" });
        var folder = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await _app.Client.PutAsJsonAsync($"/api/feeds/{_blog.Id}/folder", new { folderId = folder });
        var upTo = _blog.Items[^2].Id;

        var response = await _app.PostFormAsync($"/folders/{folder}", $"/folders/{folder}?handler=MarkAllRead",
            new Dictionary<string, string> { ["upTo"] = upTo.ToString(System.Globalization.CultureInfo.InvariantCulture), ["returnUrl"] = $"/folders/{folder}" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var adminId = await _app.AdminIdAsync();
        Assert.True(await _app.Db.IsUnreadAsync(adminId, _blog.Items[^1].Id));
        Assert.False(await _app.Db.IsUnreadAsync(adminId, _blog.Items[0].Id));
        Assert.True(await _app.Db.IsUnreadAsync(adminId, _news.Items[0].Id));
    }

    [Fact]
    public async Task MarkAllRead_OfAllUnread_PostsToTheFormsAction_AndLeavesNewerItemsUnread()
    {
        var html = await _app.Client.GetStringAsync("/unread?before=" + AllIds[9]);
        var action = System.Net.WebUtility.HtmlDecode(MarkAllForm().Match(html).Groups[1].Value);
        var upTo = AllIds[20];
        Assert.Equal("/unread?handler=MarkAllRead", action);

        var response = await _app.PostFormAsync("/unread", action,
            new Dictionary<string, string> { ["upTo"] = upTo.ToString(System.Globalization.CultureInfo.InvariantCulture), ["returnUrl"] = "/unread" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var adminId = await _app.AdminIdAsync();
        Assert.True(await _app.Db.IsUnreadAsync(adminId, AllIds[19]));
        Assert.False(await _app.Db.IsUnreadAsync(adminId, AllIds[20]));
        Assert.False(await _app.Db.IsUnreadAsync(adminId, AllIds[^1]));
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\" class=\"inline\" data-mark-all-read")]
    private static partial Regex MarkAllForm();

    private static List<long> Ids(string html) => [.. ItemRow().Matches(html).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex("<li class=\"item-row\" id=\"item-(\\d+)\"")]
    private static partial Regex ItemRow();
}

public sealed class RiverPagesTestsOnSqlite() : RiverPagesTests(DatabaseEngine.Sqlite);

public sealed class RiverPagesTestsOnPostgres() : RiverPagesTests(DatabaseEngine.Postgres);
