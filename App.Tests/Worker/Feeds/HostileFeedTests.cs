using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace App.Tests.Worker.Feeds;

/// <summary>
/// Hostile documents fetched by a real worker process: each is dealt with in bounded time and
/// memory, and the worker goes on. (Its peak memory on them is measured by App.Bench, section feeds.)
/// </summary>
public sealed class HostileFeedTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = RunningProcess.Patience;
    private TempDatabase _db = null!;
    private FeedServer _origin = null!;
    private RunningProcess? _worker;

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.CreateAsync();
        _origin = await FeedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _worker?.Dispose();
        await _origin.DisposeAsync();
        _db.Dispose();
    }

    private static string Nested(int depth, string open, string close, string inner) =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    private static string Rss(string items) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Hostile</title><link>https://hostile.example/</link>
        {items}
        <item><title>Plain</title><guid>plain</guid><description>Just text</description></item>
        </channel></rss>
        """;

    [Fact]
    public async Task AnItemWhoseHtmlNests100000Elements_IsStoredAsText()
    {
        Serve("/nested.xml", Rss($"<item><title>Nested</title><guid>nested</guid><description><![CDATA[<p>It starts well.</p>{Nested(100_000, "<div>", "</div>", "deep text")}]]></description></item>"));

        var job = await RefreshAsync("/nested.xml");

        Assert.Equal(JobState.Succeeded, job.State);
        await using var db = _db.Open();
        var nested = await db.FeedItems.SingleAsync(i => i.Title == "Nested");
        // Kept as text, and only as much as the sanitizer would take (HtmlBounds.MaxChars): here, the start.
        Assert.Equal("<p>It starts well.</p>", nested.ContentHtml);
        Assert.Equal(2, await db.FeedItems.CountAsync());
    }

    [Fact]
    public async Task A9MiBPageOfNestedTags_IsReadOnlyForItsHead_AndHasNoFeed()
    {
        _origin.Map("/page", async (context, _) =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync("<!DOCTYPE html><html><head><title>Tags</title></head><body>");
            var chunk = string.Concat(Enumerable.Repeat("<div><span>", 1024 * 1024 / 11));
            for (var i = 0; i < 9; i++)
            {
                await context.Response.WriteAsync(chunk);
            }
        });

        var job = await RefreshAsync("/page");

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("No feed found at this address", job.LastError);
    }

    [Fact]
    public async Task AnItemWhoseXmlNests100000Elements_FailsTheFeedClearly()
    {
        Serve("/deep.xml", Rss($"<item><title>Deep</title><guid>deep</guid><description>{Nested(100_000, "<x>", "</x>", "deep")}</description></item>"));

        var job = await RefreshAsync("/deep.xml");

        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal("Not a usable feed: <item> nests elements more than 100 deep", job.LastError);
    }

    private void Serve(string path, string body) => _origin.Serve(path, body, "application/rss+xml; charset=utf-8");

    /// <summary>Adds a feed with a one-attempt fetch job and lets a fresh worker process run it.</summary>
    private async Task<Job> RefreshAsync(string path)
    {
        long jobId;
        await using (var db = _db.Open())
        {
            var feed = new Feed { Url = _origin.Url(path).ToString(), CreatedAt = DateTime.UtcNow };
            db.Feeds.Add(feed);
            await db.SaveChangesAsync();
            var queued = await _db.Queue().EnqueueAsync(FeedJobs.Fetch(feed.Id, JobPriority.User) with { MaxAttempts = 1 });
            jobId = queued.Id;
        }
        _worker = RunningProcess.StartWorker(_db.ConnectionString);
        try
        {
            var job = await Eventually.GetAsync(async () =>
            {
                await using var db = _db.Open();
                return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
            }, j => j.State is JobState.Succeeded or JobState.Failed, Patience, "the fetch job to end");
            Assert.False(_worker.HasExited, _worker.Output);
            output.WriteLine($"worker VmHWM: {PeakMemory(_worker.Pid)}");
            return job;
        }
        catch (TimeoutException)
        {
            output.WriteLine(_worker.Output);
            throw;
        }
    }

    private static string PeakMemory(int pid) =>
        File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
}
