using App.Data;
using App.Data.Queue;
using App.Worker.Feeds;
using App.Worker.Queue;
using Quartz;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    // The Procfile starts the worker from the repository root; appsettings.json sits next to the dll.
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Services.AddAppDatabase(builder.Configuration);
builder.Services.AddQueueWorker();
builder.Services.AddFeedHandlers(builder.Configuration);

var queue = builder.Configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();
var feeds = builder.Configuration.GetSection(FeedOptions.Section).Get<FeedOptions>() ?? new FeedOptions();
builder.Services.AddQuartz(q =>
{
    q.ScheduleJob<PollQueueSchedule>(t => t.WithIdentity("poll-queue").StartNow()
        .WithSimpleSchedule(s => s.WithInterval(queue.PollInterval).RepeatForever()));
    q.ScheduleJob<HeartbeatSchedule>(t => t.WithIdentity("heartbeat").StartNow()
        .WithSimpleSchedule(s => s.WithInterval(queue.HeartbeatInterval).RepeatForever()));
    q.ScheduleJob<PurgeSchedule>(t => t.WithIdentity("purge-jobs").StartNow()
        .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromHours(1)).RepeatForever()));
    q.ScheduleJob<RefreshSchedule>(t => t.WithIdentity("schedule-refreshes").StartNow()
        .WithSimpleSchedule(s => s.WithInterval(feeds.ScheduleInterval).RepeatForever()));
});
// After the runner's registration: hosted services stop in reverse order, so polling stops first.
builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

var host = builder.Build();
await DatabaseSetup.MigrateAsync(host.Services);
await host.RunAsync();
