using System.Net;
using System.Text;
using System.Xml.Linq;
using App.Data;
using App.Tests.Support;
using App.Web.Opml;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Opml;

/// <summary><c>/opml/export</c> is a backup of the whole list: every subscription, written while read in chunks.</summary>
public abstract class OpmlExportTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Export_OfMoreFeedsThanAChunk_ListsEverySubscriptionOnceInOrder_AsAStream()
    {
        const int count = 2 * OpmlExport.ChunkSize + 7;
        var userId = await _app.AdminIdAsync();
        await using (var db = _app.Db.Open())
        {
            var now = DateTime.UtcNow;
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
                INSERT INTO "Feeds" ("Url", "Title", "CreatedAt", "ConsecutiveFailures") SELECT 'https://f' || i || '.example/feed', 'Feed ' || i, {now}, 0 FROM n
                """);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "Subscriptions" ("UserId", "FeedId", "CreatedAt") SELECT {userId}, "Id", {now} FROM "Feeds"
                """);
        }
        var (_, bob) = await _app.CreateUserAsync("bob");
        Assert.Equal(HttpStatusCode.Accepted, (await _app.PostFeedAsync("https://bobs.example/feed", bob)).StatusCode);

        using var response = await _app.Client.GetAsync("/opml/export", HttpCompletionOption.ResponseHeadersRead);

        // Written as it is read: no length is known when the headers go out.
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal("feeds.opml", response.Content.Headers.ContentDisposition?.FileName);
        var doc = XDocument.Parse(Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
        var urls = doc.Root!.Element("body")!.Elements("outline").Select(o => o.Attribute("xmlUrl")!.Value).ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"https://f{i}.example/feed"), urls);
    }
}

public sealed class OpmlExportTestsOnSqlite() : OpmlExportTests(DatabaseEngine.Sqlite);

public sealed class OpmlExportTestsOnPostgres() : OpmlExportTests(DatabaseEngine.Postgres);
