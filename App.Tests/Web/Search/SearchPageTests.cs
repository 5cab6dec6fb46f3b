using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using App.Data;
using App.Data.Feeds;
using App.Tests.Support;
using App.Web.Rivers;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Search;

/// <summary>/search on each engine.</summary>
public abstract partial class SearchPageTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;
    private Feed _feed = null!;

    public async Task InitializeAsync()
    {
        _app = await WebApp.StartAsync(engine: engine);
        _feed = await _app.AddFeedAsync("https://news.example/feed.xml", itemCount: 120, title: "News");
        await using var db = _app.Db.Open();
        // Every even item speaks of databases: 60 results, more than a page.
        await db.Database.ExecuteSqlRawAsync("""UPDATE "FeedItems" SET "ContentText" = CASE WHEN "Id" % 2 = 0 THEN 'On databases' ELSE 'On gardens' END""");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private List<long> Matching => [.. _feed.Items.Select(i => i.Id).Where(id => id % 2 == 0).OrderDescending()];

    [Fact]
    public async Task Search_ShowsMatchingItemsAsARiver_PagedByBefore_WithTheQueryKept()
    {
        var html = await _app.Client.GetStringAsync("/search?q=datab*");

        Assert.Equal(Matching.Take(RiverModel.PageSize), Ids(html));
        Assert.Contains("Search: datab*", html);
        Assert.Contains("value=\"datab*\"", html);
        var next = NextLink().Match(html).Groups[1].Value;
        Assert.Equal($"/search?q=datab%2A&amp;before={Matching[RiverModel.PageSize - 1]}", next);
        Assert.Equal(Matching.Skip(RiverModel.PageSize), Ids(await _app.Client.GetStringAsync(WebUtility.HtmlDecode(next))));
        Assert.DoesNotContain("data-mark-all-read", html);
    }

    [Fact]
    public async Task Search_ShowsReadItemsToo_AndSaysSoWhenNothingMatches()
    {
        var read = Matching[0];
        await _app.Client.PatchAsync($"/api/items/{read}", JsonContent.Create(new { read = true }));

        Assert.Contains(read, Ids(await _app.Client.GetStringAsync("/search?q=databases")));
        Assert.Contains("No items match.", await _app.Client.GetStringAsync("/search?q=volcano"));
        // A word is a whole word: the page says how to ask for the words that start with it.
        var partial = await _app.Client.GetStringAsync("/search?q=datab");
        Assert.Empty(Ids(partial));
        Assert.Contains("end one with * to match the words that start with it", partial);
    }

    [Theory]
    [InlineData("OR", "could not be read")]
    [InlineData("gardens AND", "could not be read")]
    [InlineData("", "Type a word")]
    public async Task ABadSearch_ShowsAMessage_NotAnError(string q, string message)
    {
        var response = await _app.Client.GetAsync("/search?q=" + Uri.EscapeDataString(q));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-search-error", html);
        Assert.Contains(message, html);
        Assert.Empty(Ids(html));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/unread")]
    [InlineData("/settings")]
    [InlineData("/search?q=x")]
    public async Task EveryPage_HasTheSearchBox(string path)
    {
        var html = await _app.Client.GetStringAsync(path);

        Assert.Matches("<form method=\"get\" action=\"/search\" class=\"inline search\" role=\"search\">", html);
    }

    private static List<long> Ids(string html) => [.. ItemRow().Matches(html).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex("<li class=\"item-row\" id=\"item-(\\d+)\"")]
    private static partial Regex ItemRow();

    [GeneratedRegex("<a href=\"([^\"]+)\" rel=\"next\">")]
    private static partial Regex NextLink();
}

public sealed class SearchPageTestsOnSqlite() : SearchPageTests(DatabaseEngine.Sqlite);

public sealed class SearchPageTestsOnPostgres() : SearchPageTests(DatabaseEngine.Postgres);
