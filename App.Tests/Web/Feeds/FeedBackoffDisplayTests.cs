using System.Net.Http.Json;
using System.Text.Json;
using App.Data;
using App.Tests.Support;

namespace App.Tests.Web.Feeds;

public abstract class FeedBackoffDisplayTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _web = null!;

    public async Task InitializeAsync() => _web = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task FailingFeed_ShowsItsNextAttempt_OnTheApiAndThePages()
    {
        var feed = await _web.AddFeedAsync("https://failing.example/feed", lastError: "HTTP 503 Service Unavailable");
        var next = new DateTime(2030, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        await using (var db = _web.Db.Open())
        {
            var row = await db.Feeds.FindAsync(feed.Id);
            row!.NextRefreshAt = next;
            row.ConsecutiveFailures = 3;
            await db.SaveChangesAsync();
        }

        var json = await _web.Client.GetFromJsonAsync<JsonElement>($"/api/feeds/{feed.Id}");
        Assert.Equal(next, json.GetProperty("nextRefreshAt").GetDateTime().ToUniversalTime());
        Assert.Equal(3, json.GetProperty("consecutiveFailures").GetInt32());
        foreach (var page in new[] { "/", $"/feeds/{feed.Id}" })
        {
            var html = await _web.Client.GetStringAsync(page);
            Assert.Contains("next attempt", html);
            Assert.Contains("2030-05-06T07:08:09", html);
        }
    }
}

public sealed class FeedBackoffDisplayTestsOnSqlite() : FeedBackoffDisplayTests(DatabaseEngine.Sqlite);

public sealed class FeedBackoffDisplayTestsOnPostgres() : FeedBackoffDisplayTests(DatabaseEngine.Postgres);
