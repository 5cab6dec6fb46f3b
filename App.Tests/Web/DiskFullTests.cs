using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using App.Tests.Support;
using App.Web.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web;

/// <summary>
/// The web on a database capped a few pages above its size (<c>Sqlite:MaxPageCount</c>), filled
/// through the API until a write meets SQLITE_FULL, as a small disk fills up.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    // Long addresses fill the file quickly: each feed stores its address twice and indexes it once.
    private static string Address(string name) => $"https://example.com/{name}/{new string('x', 1500)}.xml";

    private WebApp _app = null!;

    public async Task InitializeAsync()
    {
        long pages;
        using (var probe = await TempDatabase.CreateAsync())
        await using (var connection = new SqliteConnection(probe.ConnectionString + ";Pooling=False"))
        {
            await connection.OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = "PRAGMA page_count";
            pages = (long)(await count.ExecuteScalarAsync())!;
        }
        _app = await WebApp.StartAsync(new Dictionary<string, string> { ["Sqlite:MaxPageCount"] = $"{pages + 40}" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AddingAFeed_Answers507SayingNothingWasStored_ThePagesShowIt_AndAllWorksAgainOnceThereIsRoom()
    {
        var (full, stored) = await FillAsync();

        Assert.Equal((HttpStatusCode)507, full.StatusCode);
        Assert.Equal("application/problem+json", full.Content.Headers.ContentType?.MediaType);
        var problem = await full.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(507, problem.GetProperty("status").GetInt32());
        Assert.Equal(DiskFullResponses.Detail, problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Sqlite", problem.ToString(), StringComparison.OrdinalIgnoreCase);
        await AssertNothingStoredAsync(Address($"feed-{stored.Count}"), stored.Count);

        // The pages: a banner while the disk was full lately, and a readable page for a form post.
        var page = await _app.Client.GetStringAsync("/");
        Assert.Contains("data-disk-full-banner", page);
        Assert.Contains("The disk is full.", page);
        var form = await _app.PostFormAsync("/", "/", new Dictionary<string, string> { ["Address"] = Address("by-form") });
        Assert.Equal((HttpStatusCode)507, form.StatusCode);
        Assert.Equal("text/html", form.Content.Headers.ContentType?.MediaType);
        var html = await form.Content.ReadAsStringAsync();
        Assert.Contains("<h1>The disk is full</h1>", html);
        Assert.Contains(WebUtilityHtml(DiskFullResponses.Detail), html);
        await AssertNothingStoredAsync(Address("by-form"), stored.Count);

        // Room again (feeds deleted: their pages are free to reuse), without a restart.
        foreach (var feedId in stored.Take(10))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await _app.Client.DeleteAsync($"/api/feeds/{feedId}")).StatusCode);
        }
        var again = await _app.PostFeedAsync(Address($"feed-{stored.Count}"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var feedId2 = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedId").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync($"/api/feeds/{feedId2}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task AddingAFeedFromThePageScript_Answers507Problem()
    {
        await FillAsync();
        var page = await _app.Client.GetStringAsync("/");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Address"] = Address("by-script"),
                ["__RequestVerificationToken"] = WebApp.AntiforgeryToken(page),
            }),
        };
        request.Headers.Accept.ParseAdd("application/json");

        var response = await _app.Client.SendAsync(request);

        Assert.Equal((HttpStatusCode)507, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Adds feeds until one is refused; returns that answer and the ids of those stored.</summary>
    private async Task<(HttpResponseMessage Refused, List<long> Stored)> FillAsync()
    {
        var stored = new List<long>();
        for (var i = 0; i < 500; i++)
        {
            var response = await _app.PostFeedAsync(Address($"feed-{i}"));
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return (response, stored);
            }
            stored.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedId").GetInt64());
        }
        throw new InvalidOperationException("500 feeds fitted under the page limit");
    }

    private async Task AssertNothingStoredAsync(string url, int feeds)
    {
        await using var db = _app.Db.Open();
        Assert.False(await db.Feeds.AnyAsync(f => f.Url == url));
        Assert.Equal(feeds, await db.Feeds.CountAsync());
        Assert.Equal(feeds, await db.Jobs.CountAsync());
        Assert.Equal(feeds, await db.Subscriptions.CountAsync());
    }

    private static string WebUtilityHtml(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);
}
