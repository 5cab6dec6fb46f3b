using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Worker.Feeds;

/// <summary>
/// Every way a refresh can fail ends up on the feed as well as on the job: the feed shows the
/// error, and a job that gives up backs the feed off (the scheduler would otherwise queue a fresh
/// fetch at its next pass, every 30 s).
/// </summary>
public sealed class FetchFeedHandlerFailureTests : IAsyncDisposable
{
    private FetchHarness? _h;

    public async ValueTask DisposeAsync()
    {
        if (_h is not null)
        {
            await _h.DisposeAsync();
        }
    }

    private static byte[] Garbage => [.. Enumerable.Range(0, 600).Select(i => (byte)(i * 37 % 251))];

    /// <summary>Serves a body that the client cannot read to its end.</summary>
    private static Task Broken(HttpContext context, string kind)
    {
        context.Response.ContentType = "application/rss+xml";
        switch (kind)
        {
            case "gzip" or "deflate" or "br":
                context.Response.Headers.ContentEncoding = kind;
                // A real compressed stream's start followed by damage, as a broken cache would serve.
                return context.Response.Body.WriteAsync(Compressed(kind)[..20].Concat(Garbage).ToArray()).AsTask();
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static byte[] Compressed(string kind)
    {
        var output = new MemoryStream();
        using (Stream compressor = kind switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        })
        {
            compressor.Write(Encoding.UTF8.GetBytes(FeedSamples.Rss(20)));
        }
        return output.ToArray();
    }

    [Theory]
    [InlineData("truncated", "The connection closed before the whole feed arrived")]
    [InlineData("gzip", "The feed's compressed body is damaged")]
    [InlineData("deflate", "The feed's compressed body is damaged")]
    [InlineData("br", "The feed's compressed body is damaged")]
    public async Task ABodyThatCannotBeRead_IsAFailedFetch_ShownOnTheFeed(string kind, string error)
    {
        _h = await FetchHarness.StartAsync();
        _h.Origin.Map("/feed.xml", (context, _) => Broken(context, kind));
        await using var truncating = ShortBodyOrigin.Start();
        var (feedId, jobId) = kind == "truncated"
            ? await _h.AddFeedAtAsync(truncating.Url.ToString())
            : await _h.AddFeedAsync("/feed.xml");

        await _h.RunOneJobAsync();

        var job = await _h.JobAsync(jobId);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal(error, job.LastError);
        var feed = await _h.FeedAsync(feedId);
        Assert.Equal(error, feed.LastError);
        Assert.Equal(0, feed.ConsecutiveFailures);
    }

    [Fact]
    public async Task TheLastAttemptAtABrokenBody_BacksTheFeedOff()
    {
        _h = await FetchHarness.StartAsync();
        _h.Origin.Map("/feed.xml", (context, _) => Broken(context, "gzip"));
        var feedId = await AddFeedWithOneAttemptAsync("/feed.xml");

        await _h.RunOneJobAsync();

        var feed = await _h.FeedAsync(feedId);
        Assert.Equal(1, feed.ConsecutiveFailures);
        Assert.True(feed.NextRefreshAt > DateTime.UtcNow.AddMinutes(59), $"next refresh {feed.NextRefreshAt:O}");
    }

    [Fact]
    public async Task ARefreshPastItsTimeout_IsShownOnTheFeed_AndTheLastAttemptBacksItOff()
    {
        var clock = TempDatabase.FakeClock();
        _h = await FetchHarness.StartAsync(clock);
        var requested = new TaskCompletionSource();
        _h.Origin.Map("/hangs.xml", async (context, _) =>
        {
            requested.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var feedId = await AddFeedWithOneAttemptAsync("/hangs.xml");
        var timeout = _h.Handler(FeedJobs.FetchFeed).Timeout;

        await _h.RunDueJobsAsync();
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(timeout + TimeSpan.FromSeconds(1));

        var feed = await Eventually.GetAsync(() => _h.FeedAsync(feedId), f => f.LastError is not null, TimeSpan.FromSeconds(30), "the feed to show the error");
        Assert.Equal($"Timed out after {timeout.TotalSeconds:0.###} s", feed.LastError);
        Assert.Equal(1, feed.ConsecutiveFailures);
        Assert.True(feed.NextRefreshAt > clock.GetUtcNow().UtcDateTime.AddMinutes(59), $"next refresh {feed.NextRefreshAt:O}");
    }

    [Fact]
    public async Task ACompletionThatCannotBeWritten_IsShownOnTheFeed()
    {
        _h = await FetchHarness.StartAsync();
        _h.Origin.Serve("/feed.xml", FeedSamples.Rss(2));
        var (feedId, jobId) = await _h.AddFeedAsync("/feed.xml");
        await using (var db = _h.Db.Open())
        {
            // The items cannot be stored (as on a full disk); the feed row itself can still be written.
            await db.Database.ExecuteSqlRawAsync("""
                CREATE TRIGGER "NoRoom" BEFORE INSERT ON "FeedItems" BEGIN SELECT RAISE(ABORT, 'No room for items (simulated)'); END
                """);
        }

        await _h.RunDueJobsAsync();

        var job = await _h.WaitForJobAsync(jobId, j => j.LastError is not null, "the failure to be recorded");
        Assert.Equal(JobState.Pending, job.State);
        Assert.Contains("No room for items (simulated)", job.LastError);
        Assert.Equal(job.LastError, (await _h.FeedAsync(feedId)).LastError);
    }

    /// <summary>
    /// An origin that promises a body of 100,000 bytes, sends 200 and closes the connection
    /// cleanly. Raw sockets rather than Kestrel: an aborted Kestrel response may drop what it had
    /// not yet sent, headers included, and then the client sees no response at all.
    /// </summary>
    private sealed class ShortBodyOrigin : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _serving;

        private ShortBodyOrigin()
        {
            _listener.Start();
            _serving = ServeAsync();
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/short.xml");

        public static ShortBodyOrigin Start() => new();

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    var stream = client.GetStream();
                    var request = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer);
                        if (read == 0)
                        {
                            break;
                        }
                        request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }
                    var body = Encoding.UTF8.GetBytes(FeedSamples.Rss(3))[..200];
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"));
                    await stream.WriteAsync(body);
                    client.Client.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }
    }

    /// <summary>A feed whose fetch job has one attempt, so that its failure is final.</summary>
    private async Task<long> AddFeedWithOneAttemptAsync(string path)
    {
        var (feedId, _) = await _h!.AddFeedAsync(path);
        await using (var db = _h.Db.Open())
        {
            await db.Jobs.ExecuteDeleteAsync();
        }
        await _h.Services.GetRequiredService<JobQueue>().EnqueueAsync(FeedJobs.Fetch(feedId, JobPriority.User) with { MaxAttempts = 1 });
        return feedId;
    }
}
