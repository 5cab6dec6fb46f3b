using System.Net;
using System.Text.RegularExpressions;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Feeds;

public abstract partial class FeedPagesTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Index_HasTheAddFormWithAnAntiforgeryToken()
    {
        var html = await _app.Client.GetStringAsync("/");

        Assert.Contains("<form method=\"post\"", html);
        Assert.Contains("name=\"Address\"", html);
        Assert.Contains("name=\"__RequestVerificationToken\"", html);
        Assert.Contains("No feeds yet", html);
    }

    [Fact]
    public async Task Index_ListsFeedsWithTitleItemCountAndError_TextEncoded()
    {
        var titled = await _app.AddFeedAsync("https://a.example/feed", itemCount: 2, title: "<b>News</b>", lastError: "HTTP 503");
        await _app.AddFeedAsync("https://b.example/feed");

        var html = await _app.Client.GetStringAsync("/");

        Assert.Contains($"href=\"/feeds/{titled.Id}\">&lt;b&gt;News&lt;/b&gt;</a>", html);
        Assert.Contains("2 items", html);
        Assert.Contains("HTTP 503", html);
        Assert.Contains("https://b.example/feed", html);
    }

    [Fact]
    public async Task AddForm_RedirectsToTheJobsProgress_ForANewAddress()
    {
        var response = await _app.PostFormAsync("/", "/", new Dictionary<string, string> { ["Address"] = " https://example.com/feed.xml " });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = _app.Db.Open();
        var job = await db.Jobs.SingleAsync();
        Assert.Equal($"/jobs/{job.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("https://example.com/feed.xml", (await db.Feeds.SingleAsync()).Url);
        Assert.Equal(JobPriority.User, job.Priority);
    }

    [Fact]
    public async Task AddForm_RedirectsToTheFeed_ForAKnownAddress()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");

        var response = await _app.PostFormAsync("/", "/", new Dictionary<string, string> { ["Address"] = "https://EXAMPLE.com/feed.xml" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/feeds/{feed.Id}", response.Headers.Location?.OriginalString);
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Theory]
    [InlineData("", "Enter the feed&#x27;s address.")]
    [InlineData("ftp://example.com/feed", "absolute http or https address")]
    [InlineData("not a url", "absolute http or https address")]
    public async Task AddForm_ShowsTheReasonNextToTheFieldAndStoresNothing_ForABadAddress(string address, string reason)
    {
        var response = await _app.PostFormAsync("/", "/", new Dictionary<string, string> { ["Address"] = address });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var message = Assert.Single(FieldError().Matches(html));
        Assert.Contains(reason, message.Groups[1].Value);
        Assert.Contains("input-validation-error", html);
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task AddForm_Returns400AndStoresNothing_WithoutAntiforgeryToken()
    {
        var response = await _app.Client.PostAsync("/", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["Address"] = "https://example.com/feed.xml" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
    }

    [Fact]
    public async Task FeedPage_ShowsItemsNewestFirst_LinkingToTheItemPageAndTheOriginal()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 3, title: "Example");
        var newestId = feed.Items.Max(i => i.Id);

        var html = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");

        Assert.Contains("<h1>Example</h1>", html);
        var newest = html.IndexOf("Item 3", StringComparison.Ordinal);
        var oldest = html.IndexOf("Item 1", StringComparison.Ordinal);
        Assert.True(newest >= 0 && newest < oldest, "items should be newest first");
        Assert.Contains($"<a class=\"item-title\" href=\"/items/{newestId}\" data-key=\"o\">Item 3</a>", html);
        Assert.Contains("<a href=\"https://example.com/items/3\" rel=\"noopener noreferrer\" target=\"_blank\">original</a>", html);
        // The content is the item page's: the list stays light.
        Assert.DoesNotContain("Body of", html);
        Assert.Contains("datetime=\"2026-01-01T03:00:00Z\"", html);
        Assert.DoesNotContain("rel=\"next\"", html);
    }

    [Fact]
    public async Task FeedPage_ShowsEachItemsExcerpt_TextEncoded_UnlessItRepeatsTheTitle()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 2, title: "Example");
        await using (var db = _app.Db.Open())
        {
            var items = await db.FeedItems.Where(i => i.FeedId == feed.Id).OrderBy(i => i.Id).ToListAsync();
            items[0].Excerpt = "Item 1";
            items[1].Excerpt = "Why <b> tags & entities stay text…";
            await db.SaveChangesAsync();
        }

        var html = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");

        Assert.Contains("<p class=\"excerpt\">Why &lt;b&gt; tags &amp; entities stay text", html);
        Assert.Single(Regex.Matches(html, "class=\"excerpt\""));
    }

    [Fact]
    public async Task FeedIcons_AreServedFromTheDatabase_AndShownOnlyForFeedsThatHaveOne()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 7];
        var withIcon = await _app.AddFeedAsync("https://a.example/feed", title: "Has icon");
        var noIcon = await _app.AddFeedAsync("https://b.example/feed", title: "Looked, found none");
        var notYet = await _app.AddFeedAsync("https://c.example/feed", title: "Not looked yet");
        await using (var db = _app.Db.Open())
        {
            db.FeedIcons.Add(new App.Data.Feeds.FeedIcon { FeedId = withIcon.Id, ContentType = "image/png", Data = png, FetchedAt = DateTime.UtcNow });
            db.FeedIcons.Add(new App.Data.Feeds.FeedIcon { FeedId = noIcon.Id, ContentType = "", Data = [], FetchedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        using var icon = await _app.Client.GetAsync($"/api/feeds/{withIcon.Id}/icon");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/png", icon.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await icon.Content.ReadAsByteArrayAsync());
        foreach (var feed in new[] { noIcon, notYet })
        {
            using var none = await _app.Client.GetAsync($"/api/feeds/{feed.Id}/icon");
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        }

        var list = await _app.Client.GetStringAsync("/");
        Assert.Contains($"<img class=\"feed-icon\" src=\"/api/feeds/{withIcon.Id}/icon\"", list);
        Assert.Single(Regex.Matches(list, "class=\"feed-icon\""));
        Assert.Contains($"src=\"/api/feeds/{withIcon.Id}/icon\"", await _app.Client.GetStringAsync($"/feeds/{withIcon.Id}"));
    }

    [Fact]
    public async Task FeedPage_LinksToOlderItems_WithBefore()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 52);
        var ids = feed.Items.Select(i => i.Id).OrderByDescending(id => id).ToArray();

        var first = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");
        var older = await _app.Client.GetStringAsync($"/feeds/{feed.Id}?before={ids[49]}");

        Assert.Contains($"href=\"/feeds/{feed.Id}?before={ids[49]}\" rel=\"next\"", first);
        Assert.Contains(">Item 3</a>", first);
        Assert.DoesNotContain(">Item 2</a>", first);
        Assert.Contains(">Item 2</a>", older);
        Assert.Contains(">Item 1</a>", older);
        Assert.DoesNotContain(">Item 3</a>", older);
        Assert.DoesNotContain("rel=\"next\"", older);
    }

    [Fact]
    public async Task FeedPage_Returns404_ForUnknownFeed()
    {
        var response = await _app.Client.GetAsync("/feeds/42");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RefreshButton_RedirectsToTheNewJobsProgress()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml");

        var response = await _app.PostFormAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=Refresh");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = _app.Db.Open();
        var job = await db.Jobs.SingleAsync();
        Assert.Equal(feed.Id, job.FeedId);
        Assert.Equal($"/jobs/{job.Id}", response.Headers.Location?.OriginalString);
    }

    [GeneratedRegex("<span id=\"address-error\" class=\"field-error field-validation-error\"[^>]*>([^<]+)</span>")]
    private static partial Regex FieldError();

    [Fact]
    public async Task FeedPage_RenamesTheFeedForTheUser_AndEmptyGoesBackToItsTitle()
    {
        var feed = await _app.AddFeedAsync("https://example.com/feed.xml", itemCount: 1, title: "Example");

        var renamed = await _app.PostFormAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=Rename",
            new Dictionary<string, string> { ["title"] = "My example" });

        Assert.Equal($"/feeds/{feed.Id}", renamed.Headers.Location?.OriginalString);
        Assert.Contains("My example", await _app.Client.GetStringAsync("/"));
        await _app.PostFormAsync($"/feeds/{feed.Id}", $"/feeds/{feed.Id}?handler=Rename", new Dictionary<string, string> { ["title"] = " " });
        var page = await _app.Client.GetStringAsync($"/feeds/{feed.Id}");
        Assert.Contains("<title>Example", page);
        Assert.Contains("The feed shows its own title again.", page);
    }
}

public sealed class FeedPagesTestsOnSqlite() : FeedPagesTests(DatabaseEngine.Sqlite);

public sealed class FeedPagesTestsOnPostgres() : FeedPagesTests(DatabaseEngine.Postgres);
