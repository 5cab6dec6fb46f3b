using App.Data.Accounts;
using App.Data.Backups;
using App.Data.Feeds;
using App.Data.Postgres;
using App.Data.Queue;
using App.Data.Retention;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace App.Data;

/// <summary>The one database: jobs, workers, feeds, their items and icons, users and what is theirs, and the backups taken of it.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<JobBatch> JobBatches => Set<JobBatch>();

    public DbSet<JobStateCount> JobStateCounts => Set<JobStateCount>();

    public DbSet<WorkerProcess> Workers => Set<WorkerProcess>();

    public DbSet<NoopRun> NoopRuns => Set<NoopRun>();

    public DbSet<Feed> Feeds => Set<Feed>();

    public DbSet<FeedItem> FeedItems => Set<FeedItem>();

    public DbSet<FeedIcon> FeedIcons => Set<FeedIcon>();

    public DbSet<User> Users => Set<User>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    public DbSet<Folder> Folders => Set<Folder>();

    public DbSet<UnreadItem> UnreadItems => Set<UnreadItem>();

    public DbSet<StarredItem> StarredItems => Set<StarredItem>();

    public DbSet<Backup> Backups => Set<Backup>();

    public DbSet<ItemPurgeRun> ItemPurgeRuns => Set<ItemPurgeRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            PostgresSetup.Adapt(modelBuilder);
        }
    }

    /// <summary>The engine this context talks to.</summary>
    public DatabaseEngine Engine => Database.IsNpgsql() ? DatabaseEngine.Postgres : DatabaseEngine.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Times are stored as UTC (text on SQLite, sortable in SQL unlike DateTimeOffset; timestamptz on PostgreSQL) (sortable in SQL, unlike DateTimeOffset) and read back as UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? v.Value.ToUniversalTime() : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}
