using App.Data;
using App.Data.Backups;
using App.Data.Queue;
using App.Data.Retention;
using App.Data.Writes;
using App.Worker.Backups;
using App.Worker.Feeds;
using App.Worker.Moving;
using App.Worker.Queue;
using App.Worker.Retention;
using Quartz;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = BackupCommand.IsRequested(args) ? BackupCommand.ConfigurationArgs(args)
        : CopyToPostgresCommand.IsRequested(args) ? CopyToPostgresCommand.ConfigurationArgs(args)
        : args,
    // The Procfile starts the worker from the repository root; appsettings.json sits next to the dll.
    ContentRootPath = AppContext.BaseDirectory,
});
// A worker works through a backlog: on SQLite its writers let the web's waiting ones have the lock first.
builder.Services.AddAppDatabase(builder.Configuration, WriterPriority.Background);
builder.Services.AddQueueWorker();
builder.Services.AddFeedHandlers(builder.Configuration);
builder.Services.AddSingleton<IJobHandler, BackupHandler>();

var queue = builder.Configuration.GetSection(QueueOptions.Section).Get<QueueOptions>() ?? new QueueOptions();
var feeds = builder.Configuration.GetSection(FeedOptions.Section).Get<FeedOptions>() ?? new FeedOptions();
var backups = builder.Configuration.GetSection(BackupOptions.Section).Get<BackupOptions>() ?? new BackupOptions();
var retention = builder.Configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
var engine = DatabaseSetup.EngineOf(builder.Configuration);
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
    // The app's backups copy the SQLite file; a PostgreSQL server is backed up with its own tools (docs/postgres.md).
    if (backups.Interval > TimeSpan.Zero && engine == DatabaseEngine.Sqlite)
    {
        q.ScheduleJob<BackupSchedule>(t => t.WithIdentity("schedule-backups").StartNow()
            .WithSimpleSchedule(s => s.WithInterval(BackupSchedule.CheckInterval).RepeatForever()));
    }
    if (retention.PurgeInterval > TimeSpan.Zero)
    {
        q.ScheduleJob<RetentionSchedule>(t => t.WithIdentity("purge-items").StartNow()
            .WithSimpleSchedule(s => s.WithInterval(retention.PurgeInterval).RepeatForever()));
    }
});
// After the runner's registration: hosted services stop in reverse order, so polling stops first.
builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

var host = builder.Build();
if (CopyToPostgresCommand.IsRequested(args))
{
    // Checks both databases before it migrates anything, then copies and exits.
    return await CopyToPostgresCommand.RunAsync(host.Services, builder.Configuration, args);
}
await DatabaseSetup.MigrateAsync(host.Services);
if (BackupCommand.IsRequested(args))
{
    // One backup and out: the host's services without its hosted services (no runner, no schedules).
    return await BackupCommand.RunAsync(host.Services, args);
}
await host.RunAsync();
return 0;
