using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using App.Data;
using App.Tests.Support;
using App.Web.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Feeds;

/// <summary><c>GET /api/feeds</c> and <c>/</c> page the caller's feeds by feed id (keyset), with a link to the next page.</summary>
public abstract partial class FeedPagingTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ListApi_PagesByFeedId_WithALinkToTheNextPage_UntilTheLast()
    {
        var ids = await SubscribeManyAsync(5);
        var other = await _app.Db.AddFeedAsync("https://not-mine.example/feed");

        var pages = new List<List<long>>();
        var links = new List<string?>();
        string? next = "/api/feeds?limit=2";
        while (next is not null)
        {
            var response = await _app.Client.GetAsync(next);
            response.EnsureSuccessStatusCode();
            pages.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).ToList());
            next = NextLink(response);
            links.Add(next);
        }

        Assert.Equal(new List<List<long>> { ids[..2], ids[2..4], ids[4..] }, pages);
        Assert.Equal($"http://localhost/api/feeds?limit=2&after={ids[1]}", links[0]);
        Assert.Equal($"http://localhost/api/feeds?limit=2&after={ids[3]}", links[1]);
        Assert.Null(links[2]);
        Assert.DoesNotContain(other.Id, pages.SelectMany(p => p));
    }

    [Fact]
    public async Task ListApi_DefaultsToAHundredFeeds_AndClampsTheLimitToItsMaximum()
    {
        var ids = await SubscribeManyAsync(FeedQueries.DefaultFeedLimit + 1);

        var first = await _app.Client.GetAsync("/api/feeds");
        var all = await _app.Client.GetAsync("/api/feeds?limit=100000");
        var after = await _app.Client.GetAsync($"/api/feeds?after={ids[^2]}");

        Assert.Equal(FeedQueries.DefaultFeedLimit, await CountAsync(first));
        Assert.Equal($"http://localhost/api/feeds?limit={FeedQueries.DefaultFeedLimit}&after={ids[FeedQueries.DefaultFeedLimit - 1]}", NextLink(first));
        Assert.Equal(ids.Count, await CountAsync(all));
        Assert.Null(NextLink(all));
        Assert.Equal(1, await CountAsync(after));
        Assert.Null(NextLink(after));
    }

    [Fact]
    public async Task FeedsPage_ShowsAPageOfFeeds_WithAMoreLink_AndTheLastPageLinksBackToTheFirst()
    {
        var ids = await SubscribeManyAsync(FeedQueries.DefaultFeedLimit + 3);

        var first = await _app.Client.GetStringAsync("/");
        var second = await _app.Client.GetStringAsync($"/?after={ids[FeedQueries.DefaultFeedLimit - 1]}");

        Assert.Equal(ids[..FeedQueries.DefaultFeedLimit], FeedIds(first));
        Assert.Contains($"<a href=\"/?after={ids[FeedQueries.DefaultFeedLimit - 1]}\" rel=\"next\">More feeds</a>", first);
        Assert.Equal(ids[FeedQueries.DefaultFeedLimit..], FeedIds(second));
        Assert.DoesNotContain("rel=\"next\"", second);
        Assert.Contains("<a href=\"/\">First feeds</a>", second);
    }

    [Fact]
    public async Task FeedsPage_PagesInFolderOrder_EachFolderTogether_EveryFeedOnce_AndEmptyFoldersOnOnePage()
    {
        var ids = await SubscribeManyAsync(2 * FeedQueries.DefaultFeedLimit + 30);
        var userId = await _app.AdminIdAsync();
        await using (var db = _app.Db.Open())
        {
            // Folder names sort without regard to case ("alpha" < "Beta" < "gamma"); feeds alternate
            // between them by id, so id order and list order differ. "Empty" and "zulu" hold no feed, and
            // show on the one page whose range of names holds theirs.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "Folders" ("UserId", "Name", "CreatedAt") VALUES ({userId}, 'gamma', {DateTime.UtcNow}), ({userId}, 'alpha', {DateTime.UtcNow}),
                    ({userId}, 'Beta', {DateTime.UtcNow}), ({userId}, 'Empty', {DateTime.UtcNow}), ({userId}, 'zulu', {DateTime.UtcNow})
                """);
            var folders = await db.Folders.Where(f => f.UserId == userId).ToDictionaryAsync(f => f.Name, f => f.Id);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE "Subscriptions" SET "FolderId" = CASE "FeedId" % 4 WHEN 0 THEN {folders["gamma"]} WHEN 1 THEN {folders["alpha"]} WHEN 2 THEN {folders["Beta"]} ELSE NULL END
                WHERE "UserId" = {userId}
                """);
        }
        string Folder(long id) => (id % 4) switch { 0 => "gamma", 1 => "alpha", 2 => "Beta", _ => "" };
        var expected = ids.OrderBy(id => Folder(id) == "").ThenBy(Folder, StringComparer.OrdinalIgnoreCase).ThenBy(id => id).ToList();

        var shown = new List<long>();
        var emptyFolderPages = new List<(string, int)>();
        string? after = null;
        for (var page = 0; page < 5; page++)
        {
            var html = await _app.Client.GetStringAsync(after is null ? "/" : $"/?after={after}");
            shown.AddRange(FeedIds(html));
            emptyFolderPages.AddRange(new[] { "Empty", "zulu" }.Where(f => html.Contains($">{f}</a>", StringComparison.Ordinal)).Select(f => (f, page)));
            after = MoreLink().Match(html) is { Success: true } m ? m.Groups[1].Value : null;
            if (after is null)
            {
                break;
            }
        }

        Assert.Null(after);
        Assert.Equal(expected, shown);
        // The second page runs from "Beta" into the feeds in no folder, so both empty folders fall in it.
        Assert.Equal([("Empty", 1), ("zulu", 1)], emptyFolderPages);
    }

    private static string? NextLink(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var values) && LinkNext().Match(string.Join(",", values)) is { Success: true } m
            ? m.Groups[1].Value
            : null;

    private static async Task<int> CountAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength();

    private static List<long> FeedIds(string html) =>
        [.. FeedItem().Matches(html).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary><paramref name="count"/> feeds the administrator subscribes to, in one statement; their ids in order.</summary>
    private async Task<List<long>> SubscribeManyAsync(int count)
    {
        var userId = await _app.AdminIdAsync();
        await using var db = _app.Db.Open();
        var now = DateTime.UtcNow;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
            INSERT INTO "Feeds" ("Url", "Title", "CreatedAt", "ConsecutiveFailures") SELECT 'https://f' || i || '.example/feed', 'Feed ' || i, {now}, 0 FROM n
            """);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt") SELECT {userId}, "Id", {now} FROM "Feeds" WHERE "Url" LIKE 'https://f%'
            """);
        return await db.Subscriptions.Where(s => s.UserId == userId).Select(s => s.FeedId).OrderBy(id => id).ToListAsync();
    }

    [GeneratedRegex("<([^>]+)>;\\s*rel=\"next\"")]
    private static partial Regex LinkNext();

    [GeneratedRegex("<a href=\"/\\?after=(\\d+)\" rel=\"next\">")]
    private static partial Regex MoreLink();

    [GeneratedRegex("<li data-feed-id=\"(\\d+)\"")]
    private static partial Regex FeedItem();
}

public sealed class FeedPagingTestsOnSqlite() : FeedPagingTests(DatabaseEngine.Sqlite);

public sealed class FeedPagingTestsOnPostgres() : FeedPagingTests(DatabaseEngine.Postgres);
