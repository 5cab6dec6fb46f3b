using System.Text.Json;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace App.Tests.Worker.Queue;

/// <summary>What a real worker process prints about its jobs: one line per finished job, with the job's scope, and no stack trace for an expected failure.</summary>
public sealed class JobLogTests(ITestOutputHelper output) : DatabaseTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    [Fact]
    public async Task BlockedAddress_IsOneLineWithItsReason_AndNoStackTrace()
    {
        // As installed: private addresses refused. This fetch used to print a 26-line warning.
        using var worker = RunningProcess.StartWorker(Db.ConnectionString,
            new Dictionary<string, string> { ["Feeds:AllowPrivateAddresses"] = "false" });
        var (feedId, jobId) = await AddFeedAsync("http://127.0.0.1:9/feed.xml");

        await WaitForStateAsync(jobId, JobState.Failed);
        var lines = await Eventually.GetAsync(() => Task.FromResult(Lines(worker)),
            l => l.Any(x => x.Contains($"Job {jobId} ", StringComparison.Ordinal)), Patience, "the job's line");
        output.WriteLine(worker.Output);

        var line = Assert.Single(lines, l => l.Contains($"Job {jobId} ", StringComparison.Ordinal));
        Assert.StartsWith("warn: ", line);
        Assert.Contains($"job {jobId} fetch-feed attempt 1 feed {feedId}", line);
        Assert.Contains("failed in ", line);
        Assert.EndsWith("Blocked: 127.0.0.1 is a private address", line);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JsonConsole_CarriesTheJobScope_OnEveryLineAboutTheJob()
    {
        await using var origin = await FeedServer.StartAsync();
        origin.Serve("/feed.xml", FeedSamples.Rss(2));
        origin.Map("/page.html", (context, _) =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<html><head><title>No feed here</title></head><body>hello</body></html>");
        });
        using var worker = RunningProcess.StartWorker(Db.ConnectionString,
            new Dictionary<string, string> { ["Logging:Console:FormatterName"] = "json" });
        var (goodFeed, goodJob) = await AddFeedAsync(origin.Url("/feed.xml").ToString());
        var (pageFeed, pageJob) = await AddFeedAsync(origin.Url("/page.html").ToString());

        await WaitForStateAsync(goodJob, JobState.Succeeded);
        await WaitForStateAsync(pageJob, JobState.Failed);
        var entries = await Eventually.GetAsync(() => Task.FromResult(Entries(worker)),
            e => e.Count(x => x.Message.StartsWith($"Job {goodJob} ", StringComparison.Ordinal) || x.Message.StartsWith($"Job {pageJob} ", StringComparison.Ordinal)) == 2,
            Patience, "both jobs' lines");
        output.WriteLine(worker.Output);

        var succeeded = Assert.Single(entries, e => e.Message.StartsWith($"Job {goodJob} ", StringComparison.Ordinal));
        Assert.Equal("Information", succeeded.Level);
        Assert.Matches($@"^Job {goodJob} \(fetch-feed\) succeeded in [0-9.]+ ms$", succeeded.Message);
        AssertScope(succeeded, goodJob, goodFeed);
        // The handler's own line about the job is in the job's scope too.
        AssertScope(Assert.Single(entries, e => e.Message == $"Feed {goodFeed}: 2 new of 2 items"), goodJob, goodFeed);

        var notAFeed = Assert.Single(entries, e => e.Message.StartsWith($"Job {pageJob} ", StringComparison.Ordinal));
        Assert.Equal("Warning", notAFeed.Level);
        Assert.Contains("failed in ", notAFeed.Message);
        Assert.Null(notAFeed.Exception);
        AssertScope(notAFeed, pageJob, pageFeed);
    }

    private static void AssertScope(LogEntry entry, long jobId, long feedId)
    {
        var scope = Assert.Single(entry.Scopes, s => s.TryGetProperty("JobId", out _));
        Assert.Equal(jobId, scope.GetProperty("JobId").GetInt64());
        Assert.Equal(FeedJobs.FetchFeed, scope.GetProperty("JobType").GetString());
        Assert.Equal(1, scope.GetProperty("Attempt").GetInt32());
        Assert.Equal(feedId, scope.GetProperty("FeedId").GetInt64());
    }

    private async Task<(long FeedId, long JobId)> AddFeedAsync(string url)
    {
        var feed = await Db.AddFeedAsync(url);
        var job = await Db.Queue().EnqueueAsync(FeedJobs.Fetch(feed.Id, JobPriority.User));
        return (feed.Id, job.Id);
    }

    private Task WaitForStateAsync(long jobId, JobState state) =>
        Eventually.TrueAsync(async () =>
        {
            await using var db = Db.Open();
            return db.Jobs.Single(j => j.Id == jobId).State == state;
        }, Patience, $"job {jobId} to be {state}");

    private static List<string> Lines(RunningProcess worker) =>
        [.. worker.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    /// <summary>Every line the worker printed, each of which must be one JSON log entry.</summary>
    private static List<LogEntry> Entries(RunningProcess worker) =>
        [.. Lines(worker).Select(line =>
        {
            var json = JsonDocument.Parse(line).RootElement;
            return new LogEntry(
                json.GetProperty("LogLevel").GetString()!,
                json.GetProperty("Message").GetString()!,
                json.TryGetProperty("Exception", out var e) ? e.GetString() : null,
                json.TryGetProperty("Scopes", out var scopes) ? [.. scopes.EnumerateArray().Select(s => s.Clone())] : []);
        })];

    private sealed record LogEntry(string Level, string Message, string? Exception, IReadOnlyList<JsonElement> Scopes);
}
