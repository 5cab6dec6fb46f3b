using System.Globalization;
using System.Net;
using System.Text.Json;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.GoogleReader;

/// <summary>A Google Reader client signed in as one user never sees or changes another user's feeds, items or marks.</summary>
public abstract class ReaderIsolationTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private Feed _adminsFeed = null!;
    private ReaderClient _bob = null!;
    private long _bobId;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _adminsFeed = await _app.AddFeedAsync("https://admin.example/feed.xml", itemCount: 3, title: "Admin's");
        var (bobId, bob) = await _app.CreateUserAsync("bob");
        _bobId = bobId;
        _bob = await ReaderClient.LoginAsync(_app, bob, "bob");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/reader/api/0/subscription/list?output=json")]
    [InlineData("/reader/api/0/unread-count?output=json")]
    [InlineData("/reader/api/0/stream/items/ids?s=user/-/state/com.google/reading-list&n=1000&output=json")]
    [InlineData("/reader/api/0/stream/items/ids?s=feed/{feed}&n=1000&output=json")]
    [InlineData("/reader/api/0/stream/contents/feed%2F{feed}?output=json")]
    [InlineData("/reader/api/0/stream/contents/user/-/state/com.google/reading-list?output=json")]
    [InlineData("/reader/atom/feed%2F{feed}?n=100")]
    public async Task Reads_ShowNothingOfAnotherUser(string path)
    {
        var response = await _bob.Http.GetAsync(path.Replace("{feed}", _adminsFeed.Id.ToString(CultureInfo.InvariantCulture)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("admin.example", body);
        Assert.DoesNotContain("Admin's", body);
        Assert.DoesNotContain("Item 1", body);
        Assert.DoesNotContain("reader/item/", body);
    }

    [Fact]
    public async Task ItemsContents_LeavesOutAnotherUsersItems()
    {
        var ids = string.Join("&", _adminsFeed.Items.Select(i => $"i={i.Id}"));

        var response = await _bob.PostAsync("/reader/api/0/stream/items/contents", $"T={_bob.Token}&output=json&{ids}");

        Assert.Equal(0, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Writes_ChangeNothingOfAnotherUser()
    {
        var ids = string.Join("&", _adminsFeed.Items.Select(i => $"i={i.Id}"));

        await _bob.PostAsync("/reader/api/0/edit-tag", $"T={_bob.Token}&{ids}&a=user/-/state/com.google/read");
        await _bob.PostAsync("/reader/api/0/edit-tag", $"T={_bob.Token}&{ids}&a=user/-/state/com.google/starred");
        await _bob.PostAsync("/reader/api/0/mark-all-as-read", $"T={_bob.Token}&s=feed/{_adminsFeed.Id}");
        await _bob.PostAsync("/reader/api/0/mark-all-as-read", $"T={_bob.Token}&s=user/-/state/com.google/reading-list");
        await _bob.PostAsync("/reader/api/0/subscription/edit", $"T={_bob.Token}&ac=edit&s=feed/{_adminsFeed.Id}&t=Mine");
        await _bob.PostAsync("/reader/api/0/subscription/edit", $"T={_bob.Token}&ac=unsubscribe&s=feed/{_adminsFeed.Id}");

        await using var db = _app.Db.Open();
        var adminId = await _app.AdminIdAsync();
        Assert.Equal(3, await db.UnreadItems.CountAsync(u => u.UserId == adminId));
        Assert.False(await db.StarredItems.AnyAsync());
        Assert.True(await db.Feeds.AnyAsync(f => f.Id == _adminsFeed.Id));
        Assert.Null(await db.Subscriptions.Where(s => s.FeedId == _adminsFeed.Id).Select(s => s.Title).SingleAsync());
        Assert.False(await db.Subscriptions.AnyAsync(s => s.UserId == _bobId));
    }

    [Fact]
    public async Task SubscribingToAFeedAnotherUserHas_SharesItsFetch_AndItsItemsBecomeTheClientsUnread()
    {
        await _bob.PostAsync("/reader/api/0/subscription/edit", $"T={_bob.Token}&ac=subscribe&s=feed/{_adminsFeed.Url}");

        var ids = await _bob.GetJsonAsync("/reader/api/0/stream/items/ids?s=user/-/state/com.google/reading-list&xt=user/-/state/com.google/read&n=100&output=json");

        Assert.Equal(3, ids.GetProperty("itemRefs").GetArrayLength());
        await using var db = _app.Db.Open();
        Assert.Equal(1, await db.Feeds.CountAsync(f => f.Url == _adminsFeed.Url));
        Assert.Equal(0, await db.Jobs.CountAsync());
    }
}

public sealed class ReaderIsolationTestsOnSqlite() : ReaderIsolationTests(DatabaseEngine.Sqlite);

public sealed class ReaderIsolationTestsOnPostgres() : ReaderIsolationTests(DatabaseEngine.Postgres);
