using App.Data.Feeds;
using App.Data.Queue;
using App.Tests.Worker.Feeds;
using App.Worker.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace App.Tests.Worker.Queue;

/// <summary>
/// A worker compiles what its handlers' completions run under the write lock before it claims:
/// each handler's warm-up runs once, and one that fails costs only a warning.
/// </summary>
public sealed class HandlerWarmUpTests
{
    [Fact]
    public async Task EveryHandlerWarmsUp_AndOneThatFails_IsLoggedAndSkipped()
    {
        var failing = new WarmingHandler("first", fail: true);
        var next = new WarmingHandler("second", fail: false);
        var handlers = new JobHandlers([failing, next], Options.Create(new QueueOptions()));
        var log = new ListLogger();

        await handlers.WarmUpAsync(log, CancellationToken.None);

        Assert.Equal(1, failing.WarmUps);
        Assert.Equal(1, next.WarmUps);
        var warning = Assert.Single(log.Lines);
        Assert.Contains("first", warning);
        Assert.Contains("no such table", warning);
    }

    [Fact]
    public async Task TheFeedHandlersWarmUp_RunsItsReadsOnTheDatabase_AndTheFirstRefreshStillStores()
    {
        await using var harness = await FetchHarness.StartAsync();
        harness.Origin.Serve("/feed.xml", """
            <rss version="2.0"><channel><title>Warm</title><item><title>One</title><guid>1</guid></item></channel></rss>
            """);

        await harness.Handler(FeedJobs.FetchFeed).WarmUpAsync(CancellationToken.None);
        var (feedId, jobId) = await harness.AddFeedAsync("/feed.xml");
        await harness.RunDueJobsAsync();

        await harness.WaitForJobAsync(jobId, j => j.State == JobState.Succeeded, "the first refresh after the warm-up");
        Assert.Equal("One", Assert.Single(await harness.ItemsAsync(feedId)).Title);
    }

    private sealed class WarmingHandler(string type, bool fail) : IJobHandler
    {
        public int WarmUps { get; private set; }

        public string Type => type;

        public TimeSpan Timeout => TimeSpan.FromSeconds(1);

        public Task RunAsync(JobRun run, CancellationToken ct) => Task.CompletedTask;

        public Task WarmUpAsync(CancellationToken ct)
        {
            WarmUps++;
            return fail ? throw new InvalidOperationException("no such table: Feeds") : Task.CompletedTask;
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
