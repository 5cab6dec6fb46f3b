using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using App.Data;
using App.Data.Accounts;
using App.Data.Writes;
using App.Tests.Support;
using App.Web.Opml;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Web.Opml;

/// <summary>How much one import may bring in (Opml:MaxOutlines), and that it is written in chunks other writers get between.</summary>
public abstract class OpmlImportBoundsTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Import_OfAFileOverTheDefaultCap_IsRefusedAtTheFieldWithItsCount_AndStoresNothing()
    {
        var response = await _app.UploadOpmlAsync(Opml(5_001));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("id=\"file-error\" class=\"field-error field-validation-error\"", html);
        Assert.Contains("The file lists 5,001 feeds; one import takes at most 5,000. Nothing was imported", html);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ImportApi_OfAFileOverTheCap_Answers400ProblemWithItsCount_AndStoresNothing()
    {
        await using var app = await WebApp.StartAsync(new Dictionary<string, string> { ["Opml:MaxOutlines"] = "10" }, engine);

        var response = await PostOpmlAsync(app.Client, Opml(11));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The file lists 11 feeds; one import takes at most 10. Nothing was imported: split the file and import each part.",
            problem.GetProperty("detail").GetString());
        await using var db = app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        Assert.Equal(0, await db.Subscriptions.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());

        var atTheCap = await PostOpmlAsync(app.Client, Opml(10));
        Assert.Equal(HttpStatusCode.Accepted, atTheCap.StatusCode);
    }

    [Fact]
    public async Task ImportApi_AddsTheFeedsUnderABatch_AndAnswersWhatItDid()
    {
        await _app.AddFeedAsync("https://f1.example/feed");

        var response = await PostOpmlAsync(_app.Client, Opml(3));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = body.GetProperty("batchId").GetInt64();
        Assert.Equal($"/api/batches/{batchId}", response.Headers.Location?.OriginalString);
        Assert.Equal((2, 2, 1, 0), (body.GetProperty("added").GetInt32(), body.GetProperty("newFeeds").GetInt32(),
            body.GetProperty("alreadySubscribed").GetInt32(), body.GetProperty("skipped").GetInt32()));
        var batch = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}");
        Assert.Equal(2, batch.GetProperty("total").GetInt32());

        var again = await PostOpmlAsync(_app.Client, Opml(3));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(3, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("alreadySubscribed").GetInt32());
    }

    [Fact]
    public async Task ImportApi_RefusesABodyThatIsNotXml_AndABrokenFile()
    {
        var plain = await _app.Client.PostAsync("/api/opml", new StringContent("<opml/>", Encoding.UTF8, "text/plain"));
        var broken = await PostOpmlAsync(_app.Client, Encoding.UTF8.GetBytes("<opml><body><outline xmlUrl='https://a.example/'></body>"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("not well-formed XML", (await broken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Import_OfThousandsOfFeeds_IsCommittedInChunks_ThatAnotherWriteGetsBetween_AndSubscribesEachOnceWithOneJob()
    {
        const int count = 2 * OpmlImport.ChunkSize + 200;
        var userId = await _app.AdminIdAsync();
        var lane = _app.Services.GetRequiredService<WriteLane>();
        var upload = _app.UploadOpmlAsync(Opml(count));

        // Another writer on the web's write lane, taking its turns while the import runs: it sees
        // the import's commits one by one, and writes a feed of its own once it finds some but not
        // all of them. One transaction for the whole file would show it none but the last.
        var seen = new SortedSet<long>();
        long? between = null;
        while (!upload.IsCompleted)
        {
            var subscribed = await lane.InWriteTransactionAsync(c =>
            {
                var select = c.Statement("""SELECT COUNT(*) FROM "Subscriptions" WHERE "UserId" = @userId""");
                select.Parameters.AddWithValue("@userId", userId);
                var n = (long)select.ExecuteScalar()!;
                if (n is > 0 and < count && between is null)
                {
                    between = SubscriptionWrites.AddFeed(c, "https://between.example/feed", DateTime.UtcNow);
                }
                return n;
            });
            // No sleep between turns: the lane queues its waiters in order, so a poller that is
            // always waiting gets the turn after each chunk's commit; a sleep could miss them all
            // on a loaded machine.
            seen.Add(subscribed);
            await Task.Yield();
        }
        var response = await upload;

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.NotNull(between);
        var partial = seen.Where(n => n is > 0 and < count).ToList();
        Assert.NotEmpty(partial);
        Assert.All(partial, n => Assert.Equal(0, n % OpmlImport.ChunkSize));
        await using var db = _app.Db.Open();
        var imported = await db.Feeds.Where(f => f.Id != between).Select(f => f.Id).ToListAsync();
        Assert.Equal(count, imported.Count);
        Assert.InRange(between!.Value, imported.Min() + 1, imported.Max() - 1);
        var subscriptions = await db.Subscriptions.Where(s => s.UserId == userId).Select(s => s.FeedId).ToListAsync();
        Assert.Equal(imported.Order(), subscriptions.Order());
        var jobs = await db.Jobs.Select(j => new { j.FeedId, j.BatchId }).ToListAsync();
        Assert.Equal(imported.Order(), jobs.Select(j => j.FeedId!.Value).Order());
        var batch = await db.JobBatches.SingleAsync();
        Assert.All(jobs, j => Assert.Equal(batch.Id, j.BatchId));
        Assert.Equal($"/batches/{batch.Id}", response.Headers.Location?.OriginalString);
        Assert.Contains($"Imported {count} new feeds.",
            await _app.Client.GetStringAsync($"/batches/{batch.Id}"));
    }

    private async Task AssertNothingStoredAsync()
    {
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        Assert.Equal(0, await db.Subscriptions.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
        Assert.Equal(0, await db.JobBatches.CountAsync());
    }

    private static Task<HttpResponseMessage> PostOpmlAsync(HttpClient client, byte[] opml)
    {
        var content = new ByteArrayContent(opml);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/x-opml");
        return client.PostAsync("/api/opml", content);
    }

    private static byte[] Opml(int feeds) => Encoding.UTF8.GetBytes(
        $"""<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>Many</title></head><body>{string.Concat(
            Enumerable.Range(1, feeds).Select(i => $"""<outline text="Feed {i}" xmlUrl="https://f{i}.example/feed"/>"""))}</body></opml>""");
}

public sealed class OpmlImportBoundsTestsOnSqlite() : OpmlImportBoundsTests(DatabaseEngine.Sqlite);

public sealed class OpmlImportBoundsTestsOnPostgres() : OpmlImportBoundsTests(DatabaseEngine.Postgres);
