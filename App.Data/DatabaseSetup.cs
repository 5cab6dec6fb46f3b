using App.Data.Backups;
using App.Data.Postgres;
using App.Data.Queue;
using App.Data.Retention;
using App.Data.Sqlite;
using App.Data.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace App.Data;

/// <summary>Registration of the database and the queue, and migration at start.</summary>
public static class DatabaseSetup
{
    /// <summary>The default database: <c>data/app.db</c> under the repository root.</summary>
    public const string DefaultConnectionString = "Data Source=data/app.db";

    /// <summary>
    /// Registers <see cref="AppDbContext"/> (through a factory) on the engine the configuration
    /// chooses (<see cref="DatabaseEngines.Choose"/>), the queue and its options.
    /// A relative SQLite database path is taken from the repository root (the folder holding the
    /// Procfile, searched upwards from the working directory), so both processes open one file.
    /// </summary>
    /// <param name="priority">The process's writers: a worker's are <see cref="WriterPriority.Background"/>.</param>
    public static IServiceCollection AddAppDatabase(
        this IServiceCollection services, IConfiguration configuration, WriterPriority priority = WriterPriority.Interactive)
    {
        var configured = configuration.GetConnectionString("Default") ?? DefaultConnectionString;
        var engine = EngineOf(configuration);
        if (engine == DatabaseEngine.Postgres)
        {
            var dataSource = PostgresSetup.DataSource(configured);
            services.AddSingleton(dataSource);
            services.AddSingleton(ListenerConnection.Of(configured, configuration.GetConnectionString("Listener")));
            services.AddPooledDbContextFactory<AppDbContext>(o => PostgresSetup.Apply(o, dataSource));
        }
        else
        {
            var connectionString = SqliteConnectionSetup.Resolve(configured, FindRoot());
            // Pooled: a context keeps its connection object between uses, which measured 4x cheaper
            // (about 55 µs against 220 µs for context + BEGIN + COMMIT) on the queue's hot path.
            var maxPageCount = configuration.GetValue<int?>("Sqlite:MaxPageCount");
            // A person's request does not pay for a checkpoint (copying up to the whole WAL into the
            // file, and two fsyncs): the web's commits leave it to its WalCheckpointer.
            var interactive = priority == WriterPriority.Interactive;
            services.AddPooledDbContextFactory<AppDbContext>(o => SqliteConnectionSetup.Apply(o, connectionString, maxPageCount, checkpointOnCommit: !interactive));
            if (interactive)
            {
                services.AddHostedService(s => new WalCheckpointer(connectionString, s.GetRequiredService<ILogger<WalCheckpointer>>()));
            }
        }
        services.AddOptions<QueueOptions>()
            .Bind(configuration.GetSection(QueueOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(s => new WriteLane(
            s.GetRequiredService<IDbContextFactory<AppDbContext>>(), s.GetService<NpgsqlDataSource>(), priority));
        services.AddSingleton<JobQueue>();
        services.AddSingleton<WorkerRegistry>();
        services.AddSingleton<DiskFullState>();
        services.AddOptions<BackupOptions>()
            .Bind(configuration.GetSection(BackupOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<DatabaseBackup>();
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ItemPurge>();
        return services;
    }

    /// <summary>The engine <paramref name="configuration"/> chooses (<see cref="DatabaseEngines.Choose"/>).</summary>
    public static DatabaseEngine EngineOf(IConfiguration configuration) =>
        DatabaseEngines.Choose(configuration.GetConnectionString("Default") ?? DefaultConnectionString, configuration["Database:Provider"]);

    /// <summary>
    /// Applies pending migrations. Safe when several processes start at once: EF Core 10 takes a
    /// migration lock in the database. A lock row older than <paramref name="staleLockAge"/> was
    /// left by a process killed mid-migration and would block every later start; it is removed first.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseSetup));
        await StartupRetry.RunAsync("Migrating the database", log, async c =>
        {
            await using var db = await factory.CreateDbContextAsync(c);
            await MigrateAsync(db, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10), c);
        }, ct);
    }

    public static async Task MigrateAsync(AppDbContext db, TimeSpan timeout, TimeSpan staleLockAge, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        if (db.Engine == DatabaseEngine.Sqlite)
        {
            await PrepareSqliteAsync(db, staleLockAge, cts.Token);
        }
        // EF Core takes its migration lock even when nothing is pending, and (on SQLite) a process
        // killed while holding it stalls every later start until the lock is stale. Restarts, the
        // common case, read the history without the lock and skip it. On PostgreSQL the lock is a
        // LOCK TABLE in the migration's transaction: it dies with its session.
        if ((await db.Database.GetPendingMigrationsAsync(cts.Token)).Any())
        {
            await db.Database.MigrateAsync(cts.Token);
        }
    }

    private static async Task PrepareSqliteAsync(AppDbContext db, TimeSpan staleLockAge, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'";
            if (Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) > 0)
            {
                cmd.CommandText = "DELETE FROM \"__EFMigrationsLock\" WHERE julianday(\"Timestamp\") < julianday('now', $age)";
                var age = cmd.CreateParameter();
                age.ParameterName = "$age";
                age.Value = $"-{(int)staleLockAge.TotalSeconds} seconds";
                cmd.Parameters.Add(age);
                await cmd.ExecuteNonQueryAsync(ct);
            }

            // WAL lets readers (the web) go on while a worker writes. It is stored in the file;
            // this covers a file created by something other than EF Core.
            cmd.Parameters.Clear();
            cmd.CommandText = "PRAGMA journal_mode=WAL";
            await cmd.ExecuteScalarAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Procfile")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting a host (App.Data.Postgres has the PostgreSQL one).</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        SqliteConnectionSetup.Apply(options, "Data Source=design-time.db");
        return new AppDbContext(options.Options);
    }
}
