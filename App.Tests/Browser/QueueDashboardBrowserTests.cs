using App.Data;
using App.Data.Queue;
using App.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace App.Tests.Browser;

/// <summary>The queue dashboard in chromium, with a real worker process draining the queue.</summary>
public abstract class QueueDashboardBrowserTests(Chromium chromium, DatabaseEngine engine) : IAsyncLifetime
{
    private BrowserWeb _web = null!;

    public async Task InitializeAsync() => _web = await BrowserWeb.StartAsync(engine: engine);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Dashboard_FollowsTheQueueWithoutAReload()
    {
        await _web.StartWorkerAsync();
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/jobs"));
        await Expect(page.Locator("[data-state=succeeded] dd")).ToHaveTextAsync("0");
        await Expect(page.Locator("#workers-section code")).ToHaveCountAsync(1, new() { Timeout = 30_000 });

        var queue = _web.Db.Queue();
        for (var i = 0; i < 5; i++)
        {
            await queue.EnqueueAsync(new JobRequest("noop"));
        }

        await Expect(page.Locator("[data-state=succeeded] dd")).ToHaveTextAsync("5", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-throughput-summary]")).ToContainTextAsync("5 succeeded");
        browser.AssertNoErrors();
    }

    [Fact]
    public async Task FailedJob_IsRetriedFromTheDashboard()
    {
        var queue = _web.Db.Queue();
        var job = await queue.EnqueueAsync(new JobRequest("noop"));
        var lease = Assert.Single(await queue.ClaimAsync("gone-worker", 1)).Lease;
        await queue.FailAsync(lease, "Timed out after 60 s", retryable: false);
        await using var browser = await _web.NewSignedInPageAsync(chromium);
        var page = browser.Page;
        await page.GotoAsync(_web.Url("/jobs"));
        var failure = page.Locator($"#failures-section li[data-job-id=\"{job.Id}\"]");
        await Expect(failure).ToContainTextAsync("Timed out after 60 s");

        await failure.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "pending again" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-state=pending] dd")).ToHaveTextAsync("1");
        await using var db = _web.Db.Open();
        Assert.Equal(JobState.Pending, (await db.Jobs.FindAsync(job.Id))?.State);
    }
}

[Collection(ChromiumCollection.Name)]
public sealed class QueueDashboardBrowserTestsOnSqlite(Chromium chromium) : QueueDashboardBrowserTests(chromium, DatabaseEngine.Sqlite);

[Collection(ChromiumCollection.Name)]
public sealed class QueueDashboardBrowserTestsOnPostgres(Chromium chromium) : QueueDashboardBrowserTests(chromium, DatabaseEngine.Postgres);
