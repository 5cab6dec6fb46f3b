using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.GoogleReader;

/// <summary>
/// Every endpoint with the parameters real clients send, each citing the client's source:
/// NetNewsWire (Account/Sources/Account/ReaderAPI/ReaderAPICaller.swift), Read You
/// (infrastructure/rss/provider/greader/GoogleReaderAPI.kt) and newsboat 2.21 (src/feedhqapi.cpp).
/// </summary>
public abstract class ReaderRequestShapeTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private ReaderClient _reader = null!;
    private Feed _feed = null!;
    private Feed _other = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _feed = await _app.AddFeedAsync("https://news.example/feed.xml", itemCount: 5, title: "News");
        _other = await _app.AddFeedAsync("https://blog.example/feed.xml", itemCount: 2, title: "Blog");
        _reader = await ReaderClient.LoginAsync(_app, _app.Client, WebApp.AdminName);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private long[] NewsIds => [.. _feed.Items.Select(i => i.Id).Order()];

    // NetNewsWire: requestAuthorizationToken GETs /reader/api/0/token with the auth header; the
    // body is the action token it posts as T. Read You: reAuthenticate does the same.
    [Fact]
    public async Task Token_IsPlainText_AndWorksAsT()
    {
        var response = await _reader.Http.GetAsync("/reader/api/0/token");

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(_reader.Token, (await response.Content.ReadAsStringAsync()).Trim());
    }

    // Read You: getUserInfo GETs reader/api/0/user-info?output=json.
    [Fact]
    public async Task UserInfo_NamesTheUser()
    {
        var info = await _reader.GetJsonAsync("/reader/api/0/user-info?output=json");

        Assert.Equal(WebApp.AdminName, info.GetProperty("userName").GetString());
        Assert.Equal((await _app.AdminIdAsync()).ToString(CultureInfo.InvariantCulture), info.GetProperty("userId").GetString());
    }

    // NetNewsWire: retrieveSubscriptions GETs subscription/list?output=json; newsboat reads id and
    // title of each (feedhqapi.cpp get_subscribed_urls).
    [Fact]
    public async Task SubscriptionList_GivesFeedStreamsWithTitlesAndAddresses()
    {
        var list = await _reader.GetJsonAsync("/reader/api/0/subscription/list?output=json");

        var subscriptions = list.GetProperty("subscriptions").EnumerateArray().ToList();
        Assert.Equal([$"feed/{_feed.Id}", $"feed/{_other.Id}"], subscriptions.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("News", subscriptions[0].GetProperty("title").GetString());
        Assert.Equal("https://news.example/feed.xml", subscriptions[0].GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Array, subscriptions[0].GetProperty("categories").ValueKind);
        Assert.True(subscriptions[0].TryGetProperty("htmlUrl", out _));
    }

    // NetNewsWire: retrieveTags GETs tag/list?output=json and reads "tags".
    [Fact]
    public async Task TagList_HasTheStarredState()
    {
        var tags = await _reader.GetJsonAsync("/reader/api/0/tag/list?output=json");

        Assert.Contains(tags.GetProperty("tags").EnumerateArray(), t => t.GetProperty("id").GetString() == "user/-/state/com.google/starred");
    }

    [Fact]
    public async Task UnreadCount_IsPerFeedAndForTheReadingList()
    {
        await _app.Client.PatchAsync($"/api/items/{NewsIds[0]}", JsonContent(new { read = true }));

        var counts = await _reader.GetJsonAsync("/reader/api/0/unread-count?output=json");

        var byId = counts.GetProperty("unreadcounts").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("count").GetInt32());
        Assert.Equal(4, byId[$"feed/{_feed.Id}"]);
        Assert.Equal(2, byId[$"feed/{_other.Id}"]);
        Assert.Equal(6, byId["user/-/state/com.google/reading-list"]);
        Assert.Equal(6, counts.GetProperty("max").GetInt32());
    }

    // NetNewsWire: retrieveUnreadEntries GETs stream/items/ids?s=reading-list&n=10000&xt=read&output=json
    // and parses each itemRefs id as a decimal Int.
    [Fact]
    public async Task ItemIds_UnreadOfTheReadingList_AreDecimal_NewestFirst()
    {
        await _app.Client.PatchAsync($"/api/items/{NewsIds[4]}", JsonContent(new { read = true }));

        var ids = await _reader.GetJsonAsync(
            "/reader/api/0/stream/items/ids?s=user/-/state/com.google/reading-list&n=10000&xt=user/-/state/com.google/read&output=json");

        var expected = NewsIds.Take(4).Concat(_other.Items.Select(i => i.Id)).OrderDescending().Select(i => i.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected, ids.GetProperty("itemRefs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.False(ids.TryGetProperty("continuation", out _));
    }

    // NetNewsWire: retrieveEntries() sends ot as a Double (since.timeIntervalSince1970);
    // retrieveStarredEntries asks s=user/-/state/com.google/starred&n=10000.
    [Fact]
    public async Task ItemIds_TakeAFractionalOt_AndTheStarredStream()
    {
        await _app.Client.PatchAsync($"/api/items/{NewsIds[1]}", JsonContent(new { starred = true }));
        var since = (DateTime.UtcNow.AddDays(-90) - DateTime.UnixEpoch).TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture);
        var future = (DateTime.UtcNow.AddDays(1) - DateTime.UnixEpoch).TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture);

        var recent = await _reader.GetJsonAsync($"/reader/api/0/stream/items/ids?ot={since}&n=10000&output=json&xt=user/-/state/com.google/read&s=user/-/state/com.google/reading-list");
        var none = await _reader.GetJsonAsync($"/reader/api/0/stream/items/ids?ot={future}&n=10000&output=json&s=user/-/state/com.google/reading-list");
        var starred = await _reader.GetJsonAsync("/reader/api/0/stream/items/ids?s=user/-/state/com.google/starred&n=10000&output=json");

        Assert.Equal(7, recent.GetProperty("itemRefs").GetArrayLength());
        Assert.Equal(0, none.GetProperty("itemRefs").GetArrayLength());
        Assert.Equal([NewsIds[1].ToString(CultureInfo.InvariantCulture)], starred.GetProperty("itemRefs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    // Read You: getReadItemIds asks s=user/-/state/com.google/read (or s=reading-list&it=read) with
    // ot and n=1000, and pages with c; getItemIdsForFeed asks s=feed/{id}&xt=read.
    [Fact]
    public async Task ItemIds_PageWithAContinuation_AndFilterByFeedReadOrIt()
    {
        foreach (var id in NewsIds.Take(3))
        {
            await _app.Client.PatchAsync($"/api/items/{id}", JsonContent(new { read = true }));
        }

        var first = await _reader.GetJsonAsync("/reader/api/0/stream/items/ids?output=json&s=user/-/state/com.google/read&ot=0&n=2");
        var second = await _reader.GetJsonAsync($"/reader/api/0/stream/items/ids?output=json&s=user/-/state/com.google/read&ot=0&n=2&c={first.GetProperty("continuation").GetString()}");
        var viaIt = await _reader.GetJsonAsync("/reader/api/0/stream/items/ids?output=json&s=user/-/state/com.google/reading-list&it=user/-/state/com.google/read&n=1000");
        var feedUnread = await _reader.GetJsonAsync($"/reader/api/0/stream/items/ids?output=json&s=feed/{_feed.Id}&xt=user/-/state/com.google/read&n=1000");

        var read = NewsIds.Take(3).OrderDescending().Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(read.Take(2), Ids(first));
        Assert.Equal(read.Skip(2), Ids(second));
        Assert.False(second.TryGetProperty("continuation", out _));
        Assert.Equal(read, Ids(viaIt));
        Assert.Equal(NewsIds.Skip(3).OrderDescending().Select(i => i.ToString(CultureInfo.InvariantCulture)), Ids(feedUnread));
    }

    // NetNewsWire: retrieveEntries posts T, output=json and i as unpadded hexadecimal
    // (String(idValue, radix: 16)); Read You posts i as decimal; newsboat and others the long form.
    [Fact]
    public async Task ItemsContents_AcceptEveryIdForm_AndDescribeTheItem()
    {
        var id = NewsIds[4];
        var hex = id.ToString("x", CultureInfo.InvariantCulture);
        var padded = id.ToString("x16", CultureInfo.InvariantCulture);
        var forms = new[] { $"i={id}", $"i={padded}", $"i=tag:google.com,2005:reader/item/{padded}" };
        if (hex.Any(char.IsAsciiLetter))
        {
            forms = [.. forms, $"i={hex}"];
        }

        foreach (var form in forms)
        {
            var response = await _reader.PostAsync("/reader/api/0/stream/items/contents", $"T={_reader.Token}&output=json&{form}");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var item = Assert.Single(body.GetProperty("items").EnumerateArray());
            Assert.Equal($"tag:google.com,2005:reader/item/{padded}", item.GetProperty("id").GetString());
        }
        var one = (await (await _reader.PostAsync("/reader/api/0/stream/items/contents", $"T={_reader.Token}&output=json&i={id}"))
            .Content.ReadAsStringAsync());
        var entry = JsonDocument.Parse(one).RootElement.GetProperty("items")[0];
        Assert.Equal("Item 5", entry.GetProperty("title").GetString());
        Assert.Equal("https://example.com/items/5", entry.GetProperty("alternate")[0].GetProperty("href").GetString());
        Assert.Equal("<p>Body of <b>item 5</b></p>", entry.GetProperty("summary").GetProperty("content").GetString());
        Assert.Equal($"feed/{_feed.Id}", entry.GetProperty("origin").GetProperty("streamId").GetString());
        Assert.Equal("News", entry.GetProperty("origin").GetProperty("title").GetString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 5, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), entry.GetProperty("published").GetInt64());
        var categories = entry.GetProperty("categories").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("user/-/state/com.google/reading-list", categories);
        Assert.DoesNotContain("user/-/state/com.google/read", categories);
        Assert.Equal(16, entry.GetProperty("timestampUsec").GetString()!.Length);
    }

    // NetNewsWire: updateStateToEntries posts T, i=%.16llx for each item, and a= or r= the state.
    [Fact]
    public async Task EditTag_MarksReadUnreadStarredAndUnstarred_ForManyItems()
    {
        var items = string.Join("&", NewsIds.Take(3).Select(i => "i=" + i.ToString("x16", CultureInfo.InvariantCulture)));

        var read = await _reader.PostAsync("/reader/api/0/edit-tag", $"T={_reader.Token}&{items}&a=user/-/state/com.google/read");
        var starred = await _reader.PostAsync("/reader/api/0/edit-tag", $"T={_reader.Token}&{items}&a=user/-/state/com.google/starred");

        Assert.Equal("OK", await read.Content.ReadAsStringAsync());
        Assert.Equal("OK", await starred.Content.ReadAsStringAsync());
        var adminId = await _app.AdminIdAsync();
        await using (var db = _app.Db.Open())
        {
            Assert.Equal(NewsIds.Skip(3), await db.UnreadItems.Where(u => u.FeedId == _feed.Id).Select(u => u.ItemId).OrderBy(i => i).ToListAsync());
            Assert.Equal(NewsIds.Take(3), await db.StarredItems.Select(s => s.ItemId).OrderBy(i => i).ToListAsync());
        }

        await _reader.PostAsync("/reader/api/0/edit-tag", $"T={_reader.Token}&{items}&r=user/-/state/com.google/read");
        await _reader.PostAsync("/reader/api/0/edit-tag", $"T={_reader.Token}&{items}&r=user/-/state/com.google/starred");

        await using var check = _app.Db.Open();
        Assert.Equal(5, await check.UnreadItems.CountAsync(u => u.FeedId == _feed.Id && u.UserId == adminId));
        Assert.False(await check.StarredItems.AnyAsync());
    }

    // newsboat: mark_article_read_with_token posts i={guid}&a=…/read&r=…/kept-unread&ac=edit&T=… to
    // read, and i=…&r=…/read&a=…/kept-unread&a=…/tracking-kept-unread&ac=edit&T=… to unread.
    [Fact]
    public async Task EditTag_ReadsNewsboatsKeptUnreadPairs()
    {
        var guid = $"tag:google.com,2005:reader/item/{NewsIds[2]:x16}";
        var adminId = await _app.AdminIdAsync();

        await _reader.PostAsync("/reader/api/0/edit-tag", $"i={guid}&a=user/-/state/com.google/read&r=user/-/state/com.google/kept-unread&ac=edit&T={_reader.Token}");
        Assert.False(await _app.Db.IsUnreadAsync(adminId, NewsIds[2]));

        await _reader.PostAsync("/reader/api/0/edit-tag", $"i={guid}&r=user/-/state/com.google/read&a=user/-/state/com.google/kept-unread&a=user/-/state/com.google/tracking-kept-unread&ac=edit&T={_reader.Token}");
        Assert.True(await _app.Db.IsUnreadAsync(adminId, NewsIds[2]));
    }

    // newsboat: mark_all_read posts s={stream}&T=…; Read You: markAllAsRead posts s and ts.
    [Fact]
    public async Task MarkAllAsRead_MarksAFeed_OrTheReadingListUpToTs()
    {
        var adminId = await _app.AdminIdAsync();

        var feed = await _reader.PostAsync("/reader/api/0/mark-all-as-read", $"s=feed/{_feed.Id}&T={_reader.Token}");

        Assert.Equal("OK", await feed.Content.ReadAsStringAsync());
        await using (var db = _app.Db.Open())
        {
            Assert.False(await db.UnreadItems.AnyAsync(u => u.FeedId == _feed.Id));
            Assert.Equal(2, await db.UnreadItems.CountAsync(u => u.FeedId == _other.Id));
        }
        var before = (DateTime.UtcNow.AddHours(-1) - DateTime.UnixEpoch).Ticks / 10;
        await _reader.PostAsync("/reader/api/0/mark-all-as-read", $"s=user/-/state/com.google/reading-list&ts={before}&T={_reader.Token}");
        Assert.True(await _app.Db.IsUnreadAsync(adminId, _other.Items[0].Id));
        await _reader.PostAsync("/reader/api/0/mark-all-as-read", $"s=user/-/state/com.google/reading-list&T={_reader.Token}");
        Assert.False(await _app.Db.IsUnreadAsync(adminId, _other.Items[0].Id));
    }

    // Clients that page through a stream's contents (FreshRSS's own clients, Reeder): the stream in
    // the path, percent-encoded or not, n, r=o and the continuation c.
    [Theory]
    [InlineData("feed%2F{feed}")]
    [InlineData("feed/{feed}")]
    public async Task StreamContents_PagesOldestFirst_WithTheStreamInThePath(string stream)
    {
        var path = $"/reader/api/0/stream/contents/{stream.Replace("{feed}", _feed.Id.ToString(CultureInfo.InvariantCulture))}";

        var first = await _reader.GetJsonAsync($"{path}?n=3&r=o&output=json");
        var second = await _reader.GetJsonAsync($"{path}?n=3&r=o&output=json&c={first.GetProperty("continuation").GetString()}");

        Assert.Equal(NewsIds.Take(3).Select(i => $"tag:google.com,2005:reader/item/{i:x16}"), Items(first));
        Assert.Equal(NewsIds.Skip(3).Select(i => $"tag:google.com,2005:reader/item/{i:x16}"), Items(second));
        Assert.Equal($"feed/{_feed.Id}", first.GetProperty("id").GetString());
        Assert.Equal("News", first.GetProperty("title").GetString());
    }

    // NetNewsWire: createSubscription posts T, ac=subscribe, s=feed/{url}, a=user/-/label/{folder}, t={name};
    // renameSubscription posts s={id}&ac=edit&t={name}; deleteSubscription s={id}&ac=unsubscribe.
    [Fact]
    public async Task SubscriptionEdit_SubscribesLikeTheWeb_RenamesAndUnsubscribes()
    {
        var subscribe = await _reader.PostAsync("/reader/api/0/subscription/edit",
            $"T={_reader.Token}&ac=subscribe&s=feed/https://new.example/rss.xml&a=user/-/label/Tech&t=New one");

        Assert.Equal("OK", await subscribe.Content.ReadAsStringAsync());
        long feedId;
        await using (var db = _app.Db.Open())
        {
            var feed = await db.Feeds.SingleAsync(f => f.Url == "https://new.example/rss.xml");
            feedId = feed.Id;
            var job = await db.Jobs.SingleAsync(j => j.FeedId == feedId);
            Assert.Equal(FeedJobs.UniqueKey(feedId), job.UniqueKey);
            Assert.Equal("New one", await db.Subscriptions.Where(s => s.FeedId == feedId).Select(s => s.Title).SingleAsync());
        }

        await _reader.PostAsync("/reader/api/0/subscription/edit", $"T={_reader.Token}&s=feed/{feedId}&ac=edit&t=Renamed");
        var list = await _reader.GetJsonAsync("/reader/api/0/subscription/list?output=json");
        Assert.Contains(list.GetProperty("subscriptions").EnumerateArray(), s => s.GetProperty("title").GetString() == "Renamed");

        var gone = await _reader.PostAsync("/reader/api/0/subscription/edit", $"T={_reader.Token}&s=feed/{feedId}&ac=unsubscribe");
        Assert.Equal("OK", await gone.Content.ReadAsStringAsync());
        await using var check = _app.Db.Open();
        Assert.False(await check.Feeds.AnyAsync(f => f.Id == feedId));
    }

    // NetNewsWire: createSubscription sends a=user/-/label/{folder}; moving a feed sends r= the old
    // label and a= the new one; renameTag posts s and dest; deleteTag posts s to disable-tag.
    [Fact]
    public async Task Labels_AreFolders_InSubscriptionsTagsStreamsCountsAndMarks()
    {
        await _reader.PostAsync("/reader/api/0/subscription/edit", $"T={_reader.Token}&ac=edit&s=feed/{_feed.Id}&a=user/-/label/Tech");

        var list = await _reader.GetJsonAsync("/reader/api/0/subscription/list?output=json");
        var news = list.GetProperty("subscriptions").EnumerateArray().Single(s => s.GetProperty("id").GetString() == $"feed/{_feed.Id}");
        var category = Assert.Single(news.GetProperty("categories").EnumerateArray());
        Assert.Equal("user/-/label/Tech", category.GetProperty("id").GetString());
        Assert.Equal("Tech", category.GetProperty("label").GetString());
        var tags = await _reader.GetJsonAsync("/reader/api/0/tag/list?output=json");
        Assert.Contains(tags.GetProperty("tags").EnumerateArray(), t => t.GetProperty("id").GetString() == "user/-/label/Tech");

        var ids = await _reader.GetJsonAsync("/reader/api/0/stream/items/ids?output=json&s=user/-/label/Tech&n=100");
        Assert.Equal(NewsIds.OrderDescending().Select(i => i.ToString(CultureInfo.InvariantCulture)),
            ids.GetProperty("itemRefs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var contents = await _reader.GetJsonAsync("/reader/api/0/stream/contents/user%2F-%2Flabel%2FTech?output=json&n=1");
        Assert.Contains("user/-/label/Tech", contents.GetProperty("items")[0].GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        var counts = await _reader.GetJsonAsync("/reader/api/0/unread-count?output=json");
        Assert.Contains(counts.GetProperty("unreadcounts").EnumerateArray(),
            c => c.GetProperty("id").GetString() == "user/-/label/Tech" && c.GetProperty("count").GetInt32() == 5);

        await _reader.PostAsync("/reader/api/0/mark-all-as-read", $"T={_reader.Token}&s=user/-/label/Tech");
        await using (var db = _app.Db.Open())
        {
            Assert.Equal(0, await db.UnreadItems.CountAsync(u => u.FeedId == _feed.Id));
            Assert.Equal(2, await db.UnreadItems.CountAsync(u => u.FeedId == _other.Id));
        }

        Assert.Equal("OK", await (await _reader.PostAsync("/reader/api/0/rename-tag", $"T={_reader.Token}&s=user/-/label/Tech&dest=user/-/label/Science")).Content.ReadAsStringAsync());
        await _reader.PostAsync("/reader/api/0/subscription/edit", $"T={_reader.Token}&ac=edit&s=feed/{_other.Id}&a=user/-/label/Science");
        await _reader.PostAsync("/reader/api/0/subscription/edit", $"T={_reader.Token}&ac=edit&s=feed/{_feed.Id}&r=user/-/label/Science");
        await using (var db = _app.Db.Open())
        {
            var folder = await db.Folders.SingleAsync();
            Assert.Equal("Science", folder.Name);
            Assert.Equal([_other.Id], await db.Subscriptions.Where(s => s.FolderId == folder.Id).Select(s => s.FeedId).ToListAsync());
        }
        await _reader.PostAsync("/reader/api/0/disable-tag", $"T={_reader.Token}&s=user/-/label/Science");
        await using var check = _app.Db.Open();
        Assert.False(await check.Folders.AnyAsync());
        Assert.Equal(2, await check.Subscriptions.CountAsync());
    }

    // Read You: subscriptionQuickAdd posts quickadd={url} both in the query and in the form.
    [Fact]
    public async Task QuickAdd_AnswersTheStreamOfTheFeed()
    {
        var url = Uri.EscapeDataString("https://quick.example/feed");
        var response = await _reader.PostAsync($"/reader/api/0/subscription/quickadd?output=json&quickadd={url}", $"quickadd={url}&T={_reader.Token}");

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, body.GetProperty("numResults").GetInt32());
        await using var db = _app.Db.Open();
        var feed = await db.Feeds.SingleAsync(f => f.Url == "https://quick.example/feed");
        Assert.Equal($"feed/{feed.Id}", body.GetProperty("streamId").GetString());

        var bad = await _reader.PostAsync("/reader/api/0/subscription/quickadd", $"quickadd=not-a-url&T={_reader.Token}");
        Assert.Equal(0, JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("numResults").GetInt32());
    }

    // newsboat: get_subscribed_urls turns each subscription into {url}/reader/atom/{escaped id}?n={feedhq-min-items}.
    [Fact]
    public async Task Atom_GivesTheFeedsItemsWithTheirStateAsGoogleCategories()
    {
        await _app.Client.PatchAsync($"/api/items/{NewsIds[0]}", JsonContent(new { read = true }));

        var response = await _reader.Http.GetAsync($"/reader/atom/feed%2F{_feed.Id}?n=100");

        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        XNamespace atom = "http://www.w3.org/2005/Atom";
        var doc = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("News", doc.Root!.Element(atom + "title")!.Value);
        var entries = doc.Root.Elements(atom + "entry").ToList();
        Assert.Equal(5, entries.Count);
        var labels = entries.ToDictionary(
            e => e.Element(atom + "id")!.Value,
            e => e.Elements(atom + "category").Where(c => (string?)c.Attribute("scheme") == "http://www.google.com/reader/")
                .Select(c => (string?)c.Attribute("label")).ToList());
        Assert.Contains("read", labels[$"tag:google.com,2005:reader/item/{NewsIds[0]:x16}"]);
        Assert.Contains("fresh", labels[$"tag:google.com,2005:reader/item/{NewsIds[1]:x16}"]);
        Assert.Equal("https://example.com/items/1", entries.Last().Element(atom + "link")!.Attribute("href")!.Value);
    }

    private static IEnumerable<string?> Ids(JsonElement refs) => refs.GetProperty("itemRefs").EnumerateArray().Select(r => r.GetProperty("id").GetString());

    private static IEnumerable<string?> Items(JsonElement contents) => contents.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString());

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}

public sealed class ReaderRequestShapeTestsOnSqlite() : ReaderRequestShapeTests(DatabaseEngine.Sqlite);

public sealed class ReaderRequestShapeTestsOnPostgres() : ReaderRequestShapeTests(DatabaseEngine.Postgres);
