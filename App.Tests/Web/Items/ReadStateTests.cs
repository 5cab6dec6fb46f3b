using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Items;

public abstract class ReadStateTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task UnreadCounts_ShowOnTheListThePageAndTheApi_AndFollowReads()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 4, title: "Example");
        await _app.AddFeedAsync("https://other.example/feed.xml", itemCount: 2);
        await _app.Client.GetStringAsync($"/items/{feed.Items[0].Id}");

        var list = await _app.Client.GetStringAsync("/");
        var page = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");
        var api = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}");

        Assert.Contains("3 unread", list);
        Assert.Contains("2 unread", list);
        Assert.Contains("<span data-unread-count=\"3\">3 unread</span>", page);
        Assert.Equal(3, api.GetProperty("unreadCount").GetInt32());
        Assert.Equal(4, api.GetProperty("itemCount").GetInt32());
    }

    [Fact]
    public async Task FeedPage_MarksEachItemReadOrUnread()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 2);
        var read = feed.Items[0].Id;
        await _app.Client.GetStringAsync($"/items/{read}");

        var html = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");

        Assert.Contains($"id=\"item-{read}\" data-item data-read=\"true\"", html);
        Assert.Contains($"id=\"item-{feed.Items[1].Id}\" data-item data-read=\"false\"", html);
    }

    [Fact]
    public async Task ReadToggle_FormPost_MarksUnreadAndReturnsToTheFeedPage()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);
        var id = feed.Items[0].Id;
        await _app.Client.GetStringAsync($"/items/{id}");

        var response = await _app.PostFormAsync($"/feeds/{feed.Id}", $"/items/{id}?handler=Read", new Dictionary<string, string>
        {
            ["read"] = "false",
            ["returnUrl"] = $"/feeds/{feed.Id}#item-{id}",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/feeds/{feed.Id}#item-{id}", response.Headers.Location?.OriginalString);
        Assert.True(await IsUnreadAsync(id));
    }

    [Fact]
    public async Task ReadToggle_IgnoresAReturnAddressOnAnotherSite()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);
        var id = feed.Items[0].Id;

        var response = await _app.PostFormAsync($"/feeds/{feed.Id}", $"/items/{id}?handler=Read", new Dictionary<string, string>
        {
            ["read"] = "true",
            ["returnUrl"] = "//evil.example/",
        });

        Assert.Equal($"/items/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ReadToggle_FromScript_AnswersJsonWithTheNewState()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);
        var id = feed.Items[0].Id;

        var response = await _app.PostAsScriptAsync($"/feeds/{feed.Id}", $"/items/{id}?handler=Read",
            new Dictionary<string, string> { ["read"] = "true" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("read").GetBoolean());
        Assert.False(await IsUnreadAsync(id));
    }

    [Fact]
    public async Task ReadToggle_Returns404_ForUnknownItem()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");

        var response = await _app.PostAsScriptAsync($"/feeds/{feed.Id}", "/items/4242?handler=Read",
            new Dictionary<string, string> { ["read"] = "true" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MarkAllRead_MarksTheFeedsItemsUpToTheNewestSeen_AndLeavesOtherFeedsAlone()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 5);
        var other = await _app.AddFeedAsync("https://other.example/feed.xml", itemCount: 2);
        var ids = feed.Items.Select(i => i.Id).Order().ToArray();

        // The reader saw the page before the newest item arrived.
        var response = await _app.PostFormAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=MarkAllRead", new Dictionary<string, string>
        {
            ["upTo"] = ids[3].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["returnUrl"] = $"/feeds/{feed.Id}",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = _app.Db.Open();
        var unread = await db.UnreadItems.Select(u => new { u.ItemId, u.FeedId }).ToListAsync();
        Assert.Equal(3, unread.Count);
        Assert.Contains(unread, u => u.ItemId == ids[4]);
        Assert.Equal(2, unread.Count(u => u.FeedId == other.Id));
        Assert.Contains("Marked 4 items as read.", await _app.Client.GetStringAsync($"/feeds/{feed.Id}"));
    }

    [Fact]
    public async Task MarkAllRead_FromScript_AnswersHowManyChanged()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 3);

        var response = await _app.PostAsScriptAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=MarkAllRead");

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("marked").GetInt32());
    }

    [Theory]
    [InlineData("/items/{item}?handler=Read")]
    [InlineData("/feeds/{feed}?handler=MarkAllRead")]
    [InlineData("/feeds/{feed}?handler=Refresh")]
    [InlineData("/feeds/{feed}/delete")]
    public async Task StateChangingHandlers_Return400AndChangeNothing_WithoutAntiforgeryToken(string action)
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1);
        var url = action.Replace("{item}", $"{feed.Items[0].Id}").Replace("{feed}", $"{feed.Id}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["read"] = "true" }),
        };
        request.Headers.Add("Accept", "application/json");

        var response = await _app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Feeds.CountAsync());
        Assert.Equal(1, await db.UnreadItems.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    private async Task<bool> IsUnreadAsync(long id) => await _app.Db.IsUnreadAsync(await _app.AdminIdAsync(), id);
}

public sealed class ReadStateTestsOnSqlite() : ReadStateTests(DatabaseEngine.Sqlite);

public sealed class ReadStateTestsOnPostgres() : ReadStateTests(DatabaseEngine.Postgres);
