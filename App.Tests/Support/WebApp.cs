using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using App.Data;
using App.Data.Feeds;
using App.Data.Queue;
using App.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace App.Tests.Support;

/// <summary>
/// App.Web in memory (TestServer) on a migrated SQLite file of its own; both removed on dispose.
/// The app starts with the administrator <see cref="AdminName"/> (Auth:AdminUsername/AdminPassword),
/// and <see cref="Client"/> sends that administrator's Basic credentials on every request.
/// </summary>
public sealed partial class WebApp : IAsyncDisposable
{
    public const string AdminName = "admin";

    public const string AdminPassword = "correct horse battery";

    /// <summary>The password <see cref="CreateUserAsync"/> gives every user it makes.</summary>
    public const string UserPassword = "another good passphrase";

    private readonly WebApplicationFactory<WebEntryPoint> _factory;
    private readonly List<HttpClient> _clients = [];

    private WebApp(TempDatabase db, WebApplicationFactory<WebEntryPoint> factory)
    {
        Db = db;
        _factory = factory;
        Client = CreateClient(AdminName, AdminPassword);
    }

    public TempDatabase Db { get; }

    /// <summary>The administrator's client.</summary>
    public HttpClient Client { get; }

    /// <summary>The app's services (its write lane, its options).</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>A queue on the app's database, to move jobs as a worker would.</summary>
    public JobQueue Queue => Db.Queue();

    public static async Task<WebApp> StartAsync(IReadOnlyDictionary<string, string>? settings = null, DatabaseEngine engine = DatabaseEngine.Sqlite)
    {
        var db = await TempDatabase.CreateAsync(engine);
        var app = new WebApp(db, CreateFactory(db, b =>
        {
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
        }));
        // The first request starts the app, which creates the administrator.
        (await app.Client.GetAsync("/healthz")).EnsureSuccessStatusCode();
        return app;
    }

    /// <summary>
    /// App.Web on <paramref name="db"/>, quiet below warnings, with the administrator
    /// <see cref="AdminName"/>; <paramref name="configure"/> adds to it.
    /// </summary>
    public static WebApplicationFactory<WebEntryPoint> CreateFactory(TempDatabase db, Action<IWebHostBuilder>? configure = null) =>
        new WebApplicationFactory<WebEntryPoint>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:Default", db.ConnectionString)
                .UseSetting("Auth:AdminUsername", AdminName)
                .UseSetting("Auth:AdminPassword", AdminPassword)
                .UseSetting("Logging:LogLevel:Default", "Warning")
                .UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
            configure?.Invoke(b);
        });

    /// <summary>A client that sends no credentials (cookies are kept, as a browser does).</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        _clients.Add(client);
        return client;
    }

    /// <summary>A client that sends Basic credentials on every request.</summary>
    public HttpClient CreateClient(string username, string password)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = BasicCredentials(username, password);
        return client;
    }

    public static AuthenticationHeaderValue BasicCredentials(string username, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    /// <summary>A user made through <c>POST /api/users</c> by the administrator, and a client signed in as them.</summary>
    public async Task<(long Id, HttpClient Client)> CreateUserAsync(string username, bool admin = false)
    {
        var response = await Client.PostAsJsonAsync("/api/users", new { username, password = UserPassword, admin });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        return (id, CreateClient(username, UserPassword));
    }

    /// <summary>The administrator's user id.</summary>
    public async Task<long> AdminIdAsync()
    {
        await using var db = Db.Open();
        return await db.Users.Where(u => u.Username == AdminName).Select(u => u.Id).SingleAsync();
    }

    /// <summary>POSTs <c>{"url": url}</c> to <c>/api/feeds</c> as the administrator (or <paramref name="client"/>).</summary>
    public Task<HttpResponseMessage> PostFeedAsync(string url, HttpClient? client = null) =>
        (client ?? Client).PostAsJsonAsync("/api/feeds", new { url });

    /// <summary>
    /// GETs <paramref name="pagePath"/>, then POSTs <paramref name="fields"/> to <paramref name="action"/>
    /// with the antiforgery token of that page's form, as a browser does.
    /// </summary>
    public async Task<HttpResponseMessage> PostFormAsync(
        string pagePath, string action, IReadOnlyDictionary<string, string>? fields = null, HttpClient? client = null)
    {
        client ??= Client;
        var page = await client.GetStringAsync(pagePath);
        var form = new Dictionary<string, string>(fields ?? new Dictionary<string, string>())
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
        };
        return await client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>
    /// A feed (see <see cref="TempDatabase.AddFeedAsync"/>) that the administrator subscribes to,
    /// all its items unread.
    /// </summary>
    public async Task<Feed> AddFeedAsync(string url, int itemCount = 0, string? title = null, string? lastError = null)
    {
        var feed = await Db.AddFeedAsync(url, itemCount, title, lastError);
        await Db.SubscribeAsync(await AdminIdAsync(), feed.Id);
        return feed;
    }

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
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _factory.DisposeAsync();
        Db.Dispose();
    }

    private static async Task<Lease> ClaimAsync(JobQueue queue, long jobId)
    {
        var claimed = Assert.Single(await queue.ClaimAsync("test-worker", 1));
        Assert.Equal(jobId, claimed.Lease.JobId);
        return claimed.Lease;
    }

    /// <summary>The antiforgery token of the (first) form on a page.</summary>
    public static string AntiforgeryToken(string html)
    {
        var token = TokenInput().Match(html);
        Assert.True(token.Success, "no antiforgery token on the page");
        return token.Groups[1].Value;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
