using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Web.Opml;

public abstract class OpmlTests(DatabaseEngine engine) : IAsyncLifetime
{
    private WebApp _app = null!;

    public async Task InitializeAsync() => _app = await WebApp.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Import_AddsNewFeedsWithOnePendingJobEachUnderOneBatch_AndCountsTheRest()
    {
        var known = await _app.AddFeedAsync("https://known.example/feed.xml");
        var opml = Opml(
            """<outline text="Tech"><outline text="A" title="Feed A" type="rss" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/></outline>""",
            """<outline text="B" xmlUrl="https://B.example/rss"/>""",
            """<outline text="Known" xmlUrl="https://known.example/feed.xml"/>""",
            """<outline text="A again" xmlUrl="https://a.example/feed"/>""",
            """<outline text="Not web" xmlUrl="ftp://c.example/feed"/>""",
            """<outline text="A folder without a feed"/>""");

        var response = await _app.UploadOpmlAsync(opml);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = _app.Db.Open();
        var batch = await db.JobBatches.SingleAsync();
        Assert.Equal($"/batches/{batch.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Import of feeds.opml", batch.Name);
        var feeds = await db.Feeds.Where(f => f.Id != known.Id).OrderBy(f => f.Id).ToListAsync();
        Assert.Equal(["https://a.example/feed", "https://b.example/rss"], feeds.Select(f => f.Url));
        Assert.Equal("Feed A", feeds[0].Title);
        Assert.Equal("https://a.example/", feeds[0].SiteUrl);
        var jobs = await db.Jobs.OrderBy(j => j.Id).ToListAsync();
        Assert.Equal(feeds.Select(f => (long?)f.Id), jobs.Select(j => j.FeedId));
        Assert.All(jobs, j =>
        {
            Assert.Equal(batch.Id, j.BatchId);
            Assert.Equal(JobState.Pending, j.State);
        });

        var page = await _app.Client.GetStringAsync($"/batches/{batch.Id}");
        Assert.Contains("Imported 2 new feeds, 2 already subscribed, 1 skipped (not an http or https address).", page);
    }

    [Fact]
    public async Task Import_SubscribesToFeedsOtherUsersHave_WithoutFetchingThemAgain_AndBatchesOnlyNewOnes()
    {
        var shared = await _app.AddFeedAsync("https://shared.example/feed.xml", itemCount: 2);
        var (bobId, bob) = await _app.CreateUserAsync("bob");

        var response = await _app.UploadOpmlAsync(Opml(
            """<outline text="Shared" xmlUrl="https://shared.example/feed.xml"/>""",
            """<outline text="New" xmlUrl="https://new.example/feed.xml"/>"""), client: bob);

        await using var db = _app.Db.Open();
        var batch = await db.JobBatches.SingleAsync();
        Assert.Equal($"/batches/{batch.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(bobId, batch.UserId);
        var job = await db.Jobs.SingleAsync();
        Assert.Equal(batch.Id, job.BatchId);
        Assert.NotEqual(shared.Id, job.FeedId);
        Assert.Equal(2, await db.Subscriptions.CountAsync(s => s.UserId == bobId));
        Assert.Equal(2, await db.UnreadItems.CountAsync(u => u.UserId == bobId && u.FeedId == shared.Id));
        Assert.Contains("Imported 2 new feeds.", await bob.GetStringAsync($"/batches/{batch.Id}"));
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync($"/batches/{batch.Id}")).StatusCode);
        var export = await bob.GetStringAsync("/opml/export");
        Assert.Contains("https://shared.example/feed.xml", export);
        Assert.Contains("https://new.example/feed.xml", export);
        Assert.DoesNotContain("new.example", await _app.Client.GetStringAsync("/opml/export"));
    }

    [Fact]
    public async Task Import_OfFeedsAllFetchedAlready_SubscribesAndGoesToTheFeeds()
    {
        await _app.AddFeedAsync("https://shared.example/feed.xml");
        var (_, bob) = await _app.CreateUserAsync("bob");

        var response = await _app.UploadOpmlAsync(Opml("""<outline text="Shared" xmlUrl="https://shared.example/feed.xml"/>"""), client: bob);

        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.Contains("Imported 1 new feed.", await bob.GetStringAsync("/"));
    }

    [Fact]
    public async Task Import_OfOnlyKnownFeeds_StoresNoBatch_AndSaysSo()
    {
        await _app.AddFeedAsync("https://known.example/feed.xml");

        var response = await _app.UploadOpmlAsync(Opml("""<outline text="Known" xmlUrl="https://known.example/feed.xml"/>"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Nothing to import: 0 new feeds, 1 already subscribed.", await response.Content.ReadAsStringAsync());
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.JobBatches.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task Import_KnowsAFeedByTheAddressItWasAddedWith()
    {
        var feed = await _app.AddFeedAsync("https://blog.example/feed.xml");
        await using (var db = _app.Db.Open())
        {
            await db.Feeds.Where(f => f.Id == feed.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(f => f.AddedUrl, "https://blog.example/"));
        }

        var response = await _app.UploadOpmlAsync(Opml("""<outline text="Blog" xmlUrl="https://blog.example/"/>"""));

        Assert.Contains("Nothing to import: 0 new feeds, 1 already subscribed.", await response.Content.ReadAsStringAsync());
        await using var check = _app.Db.Open();
        Assert.Equal(1, await check.Feeds.CountAsync());
    }

    [Theory]
    [InlineData("<opml version=\"2.0\"><body><outline xmlUrl=\"https://a.example/feed\"></body></opml>", "not well-formed XML (line 1")]
    [InlineData("<rss version=\"2.0\"><channel/></rss>", "not an OPML file")]
    [InlineData("<opml version=\"2.0\"><body><outline text=\"no feeds\"/></body></opml>", "lists no feeds")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x "https://a.example/feed">]><opml version="2.0"><body><outline xmlUrl="&x;"/></body></opml>""", "declares a DTD")]
    [InlineData("", "Choose an OPML file")]
    public async Task Import_OfABrokenFile_ShowsAClearErrorAtTheField_AndStoresNothing(string content, string error)
    {
        var response = await _app.UploadOpmlAsync(Encoding.UTF8.GetBytes(content));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("id=\"file-error\" class=\"field-error field-validation-error\"", html);
        Assert.Contains(error, System.Net.WebUtility.HtmlDecode(html));
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
        Assert.Equal(0, await db.Jobs.CountAsync());
        Assert.Equal(0, await db.JobBatches.CountAsync());
    }

    [Fact]
    public async Task Import_OfAFileOverOneMebibyte_IsRefused()
    {
        var padding = new string(' ', 1024 * 1024);
        var response = await _app.UploadOpmlAsync(Opml($"""<outline xmlUrl="https://a.example/feed"/>{padding}"""));

        Assert.Contains("larger than 1 MiB", await response.Content.ReadAsStringAsync());
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
    }

    [Fact]
    public async Task Import_Returns400AndStoresNothing_WithoutAntiforgeryToken()
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Opml("""<outline xmlUrl="https://a.example/feed"/>""")), "Upload", "feeds.opml" } };

        var response = await _app.Client.PostAsync("/opml", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = _app.Db.Open();
        Assert.Equal(0, await db.Feeds.CountAsync());
    }

    [Fact]
    public async Task Export_IsAnOpml2AttachmentListingEveryFeed_ThatImportsBackAsAlreadySubscribed()
    {
        await _app.AddFeedAsync("https://a.example/feed", title: "A & <B>");
        await _app.AddFeedAsync("https://b.example/feed");

        var response = await _app.Client.GetAsync("/opml/export");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("feeds.opml", response.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal("text/x-opml", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        var doc = XDocument.Parse(Encoding.UTF8.GetString(body));
        Assert.Equal("2.0", doc.Root!.Attribute("version")?.Value);
        Assert.NotNull(doc.Root.Element("head")?.Element("dateCreated"));
        var outlines = doc.Root.Element("body")!.Elements("outline").ToList();
        Assert.Equal(["https://a.example/feed", "https://b.example/feed"], outlines.Select(o => o.Attribute("xmlUrl")?.Value));
        Assert.Equal("A & <B>", outlines[0].Attribute("text")?.Value);
        Assert.Equal("https://b.example/feed", outlines[1].Attribute("text")?.Value);
        Assert.All(outlines, o => Assert.Equal("rss", o.Attribute("type")?.Value));

        var reimport = await _app.UploadOpmlAsync(body);
        Assert.Contains("0 new feeds, 2 already subscribed.", await reimport.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BatchProgress_CountsTheBatchsJobsByOutcome_UntilAllAreFinished()
    {
        var opml = Opml(Enumerable.Range(1, 3).Select(i => $"""<outline xmlUrl="https://f{i}.example/feed"/>""").ToArray());
        var location = (await _app.UploadOpmlAsync(opml)).Headers.Location!.OriginalString;
        var batchId = long.Parse(location["/batches/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        // A job outside the batch changes none of its counts.
        await _app.Queue.EnqueueAsync(new JobRequest("other") { Priority = -1 });

        var before = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}");
        var queue = _app.Queue;
        var claimed = (await queue.ClaimAsync("test-worker", 2)).Select(c => c.Lease).ToList();
        Assert.True(await queue.CompleteAsync(claimed[0]));
        Assert.Equal(FailOutcome.Failed, await queue.FailAsync(claimed[1], "HTTP 404 Not Found", retryable: false));
        var during = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}");
        var last = Assert.Single(await queue.ClaimAsync("test-worker", 1));
        Assert.True(await queue.CompleteAsync(last.Lease));
        var after = await _app.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batchId}");
        var page = await _app.Client.GetStringAsync($"/batches/{batchId}");

        Assert.Equal((3, 0, 0, 0, false), Counts(before));
        Assert.Equal((3, 1, 1, 66, false), Counts(during));
        Assert.Equal((3, 2, 1, 100, true), Counts(after));
        var failure = Assert.Single(after.GetProperty("failures").EnumerateArray());
        Assert.Equal("HTTP 404 Not Found", failure.GetProperty("error").GetString());
        Assert.StartsWith("https://f", failure.GetProperty("feedUrl").GetString());
        Assert.Contains("<progress id=\"batch-bar\" max=\"3\" value=\"3\" data-field=\"bar\">", page);
        Assert.Contains("data-api=\"/api/batches/", page);
        Assert.Contains("HTTP 404 Not Found", page);
    }

    [Fact]
    public async Task BatchProgress_Returns404_ForUnknownBatch()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync("/api/batches/42")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.Client.GetAsync("/batches/42")).StatusCode);
    }

    private static (int Total, int Done, int Failed, int Percent, bool Finished) Counts(JsonElement batch) => (
        batch.GetProperty("total").GetInt32(), batch.GetProperty("done").GetInt32(), batch.GetProperty("failed").GetInt32(),
        batch.GetProperty("percent").GetInt32(), batch.GetProperty("finished").GetBoolean());

    private static byte[] Opml(params string[] outlines) => Encoding.UTF8.GetBytes(
        $"""<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>Subscriptions</title></head><body>{string.Concat(outlines)}</body></opml>""");
}

public sealed class OpmlTestsOnSqlite() : OpmlTests(DatabaseEngine.Sqlite);

public sealed class OpmlTestsOnPostgres() : OpmlTests(DatabaseEngine.Postgres);
