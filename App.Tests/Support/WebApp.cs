using System.Net.Http.Json;
using System.Text.RegularExpressions;
using App.Data.Feeds;
using App.Data.Queue;
using App.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Support;

/// <summary>App.Web in memory (TestServer) on a migrated SQLite file of its own; both removed on dispose.</summary>
public sealed partial class WebApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<WebEntryPoint> _factory;

    private WebApp(TempDatabase db, WebApplicationFactory<WebEntryPoint> factory)
    {
        Db = db;
        _factory = factory;
        // Redirects are part of what the pages answer: tests look at them rather than follow them.
        // The client keeps cookies, so the antiforgery cookie of a GET goes with the POST after it.
        Client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public TempDatabase Db { get; }

    public HttpClient Client { get; }

    /// <summary>A queue on the app's database, to move jobs as a worker would.</summary>
    public JobQueue Queue => Db.Queue();

    public static async Task<WebApp> StartAsync()
    {
        var db = await TempDatabase.CreateAsync();
        return new WebApp(db, CreateFactory(db));
    }

    /// <summary>App.Web on <paramref name="db"/>, quiet below warnings; <paramref name="configure"/> adds to it.</summary>
    public static WebApplicationFactory<WebEntryPoint> CreateFactory(TempDatabase db, Action<IWebHostBuilder>? configure = null) =>
        new WebApplicationFactory<WebEntryPoint>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:Default", db.ConnectionString)
                .UseSetting("Logging:LogLevel:Default", "Warning")
                .UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
            configure?.Invoke(b);
        });

    /// <summary>POSTs <c>{"url": url}</c> to <c>/api/feeds</c>.</summary>
    public Task<HttpResponseMessage> PostFeedAsync(string url) => Client.PostAsJsonAsync("/api/feeds", new { url });

    /// <summary>
    /// GETs <paramref name="pagePath"/>, then POSTs <paramref name="fields"/> to <paramref name="action"/>
    /// with the antiforgery token of that page's form, as a browser does.
    /// </summary>
    public async Task<HttpResponseMessage> PostFormAsync(
        string pagePath, string action, IReadOnlyDictionary<string, string>? fields = null)
    {
        var page = await Client.GetStringAsync(pagePath);
        var token = TokenInput().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {pagePath}");
        var form = new Dictionary<string, string>(fields ?? new Dictionary<string, string>())
        {
            ["__RequestVerificationToken"] = token.Groups[1].Value,
        };
        return await Client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>See <see cref="TempDatabase.AddFeedAsync"/>.</summary>
    public Task<Feed> AddFeedAsync(string url, int itemCount = 0, string? title = null, string? lastError = null) =>
        Db.AddFeedAsync(url, itemCount, title, lastError);

    /// <summary>
    /// A job brought into <paramref name="state"/> through the queue's own API. Claiming takes the
    /// most urgent due job, so call this while no other job is pending.
    /// </summary>
    public async Task<Job> JobInStateAsync(JobState state, long? feedId = null, string error = "connection refused")
    {
        var queue = Queue;
        var job = feedId is { } id
            ? await queue.EnqueueAsync(FeedJobs.Fetch(id, JobPriority.User))
            : await queue.EnqueueAsync(new JobRequest("test"));
        switch (state)
        {
            case JobState.Pending:
                break;
            case JobState.Running:
                await ClaimAsync(queue, job.Id);
                break;
            case JobState.Succeeded:
                Assert.True(await queue.CompleteAsync(await ClaimAsync(queue, job.Id)));
                break;
            case JobState.Failed:
                Assert.Equal(FailOutcome.Failed, await queue.FailAsync(await ClaimAsync(queue, job.Id), error, retryable: false));
                break;
            case JobState.Cancelled:
                Assert.True(await queue.CancelAsync(job.Id));
                break;
        }
        var stored = await GetJobAsync(job.Id);
        Assert.Equal(state, stored.State);
        return stored;
    }

    public async Task<Job> GetJobAsync(long id)
    {
        await using var db = Db.Open();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        Db.Dispose();
    }

    private static async Task<Lease> ClaimAsync(JobQueue queue, long jobId)
    {
        var claimed = Assert.Single(await queue.ClaimAsync("test-worker", 1));
        Assert.Equal(jobId, claimed.Lease.JobId);
        return claimed.Lease;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
