using App.Data;
using App.Data.Accounts;
using App.Data.Feeds;
using App.Data.Postgres;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Data.Writes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace App.Tests.Support;

/// <summary>
/// A migrated database of its own, removed on dispose: a SQLite file in a temp folder, or a
/// database on the tests' PostgreSQL server (<see cref="PostgresServer"/>; the temp folder is
/// still there, for the files a test writes beside its database).
/// </summary>
public sealed class TempDatabase : IDisposable
{
    private TempDatabase(string folder, string? postgres = null)
    {
        Folder = folder;
        Path = System.IO.Path.Combine(folder, "app.db");
        var options = new DbContextOptionsBuilder<AppDbContext>();
        if (postgres is null)
        {
            ConnectionString = $"Data Source={Path}";
            SqliteConnectionSetup.Apply(options, ConnectionString);
        }
        else
        {
            ConnectionString = postgres;
            DataSource = PostgresSetup.DataSource(postgres);
            PostgresSetup.Apply(options, DataSource);
        }
        Contexts = new Factory(options.Options);
    }

    public string Folder { get; }

    /// <summary>The SQLite file (on PostgreSQL: a path nothing uses).</summary>
    public string Path { get; }

    public string ConnectionString { get; }

    public DatabaseEngine Engine => DataSource is null ? DatabaseEngine.Sqlite : DatabaseEngine.Postgres;

    /// <summary>The pool of a PostgreSQL database; null on SQLite.</summary>
    public NpgsqlDataSource? DataSource { get; }

    public IDbContextFactory<AppDbContext> Contexts { get; }

    /// <summary>Creates and migrates a fresh database on <paramref name="engine"/>.</summary>
    public static async Task<TempDatabase> CreateAsync(DatabaseEngine engine = DatabaseEngine.Sqlite)
    {
        if (engine == DatabaseEngine.Postgres)
        {
            // The server's template database is migrated already.
            return new TempDatabase(NewFolder(), await PostgresServer.CreateDatabaseAsync());
        }
        var db = Empty();
        await using var context = db.Contexts.CreateDbContext();
        await DatabaseSetup.MigrateAsync(context, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));
        return db;
    }

    /// <summary>A PostgreSQL database without any table, as a new server hands one out.</summary>
    public static async Task<TempDatabase> CreateUnmigratedPostgresAsync() =>
        new(NewFolder(), await PostgresServer.CreateDatabaseAsync(migrated: false));

    /// <summary>A fresh database file migrated up to <paramref name="migration"/> only, as an older release left it.</summary>
    public static async Task<TempDatabase> CreateAtAsync(string migration)
    {
        var db = Empty();
        await using var context = db.Contexts.CreateDbContext();
        await context.GetService<IMigrator>().MigrateAsync(migration);
        return db;
    }

    private static TempDatabase Empty() => new(NewFolder());

    private static string NewFolder()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "app-tests", System.Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public AppDbContext Open() => Contexts.CreateDbContext();

    /// <summary>A feed with <paramref name="itemCount"/> items, ids in publication order as the worker stores them.</summary>
    public async Task<Feed> AddFeedAsync(
        string url, int itemCount = 0, string? title = null, string? lastError = null, DateTime? lastFetchedAt = null)
    {
        await using var db = Open();
        var feed = new Feed { Url = url, Title = title, LastError = lastError, LastFetchedAt = lastFetchedAt, CreatedAt = DateTime.UtcNow };
        for (var i = 1; i <= itemCount; i++)
        {
            feed.Items.Add(new FeedItem
            {
                Key = $"guid:{i}",
                Guid = $"{i}",
                Title = $"Item {i}",
                Link = $"https://example.com/items/{i}",
                PublishedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i),
                ContentHtml = $"<p>Body of <b>item {i}</b></p>",
                CreatedAt = DateTime.UtcNow,
            });
        }
        db.Feeds.Add(feed);
        await db.SaveChangesAsync();
        return feed;
    }

    /// <summary>A user (without a password) to own subscriptions in tests that do not sign in.</summary>
    public async Task<long> AddUserAsync(string username, bool isAdmin = false)
    {
        await using var db = Open();
        var user = new User { Username = username, IsAdmin = isAdmin, SecurityStamp = "test", CreatedAt = DateTime.UtcNow };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>Subscribes <paramref name="userId"/> to the feed with all its items unread, as subscribing does.</summary>
    public async Task SubscribeAsync(long userId, long feedId, string? title = null)
    {
        await using var db = Open();
        db.Subscriptions.Add(new Subscription { UserId = userId, FeedId = feedId, Title = title, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "UnreadItems" ("UserId", "ItemId", "FeedId") SELECT {userId}, "Id", "FeedId" FROM "FeedItems" WHERE "FeedId" = {feedId}
            """);
    }

    /// <summary>Whether <paramref name="userId"/> has item <paramref name="itemId"/> unread.</summary>
    public async Task<bool> IsUnreadAsync(long userId, long itemId)
    {
        await using var db = Open();
        return await db.UnreadItems.AnyAsync(u => u.UserId == userId && u.ItemId == itemId);
    }

    /// <summary>
    /// A queue on this file with the given clock and options, writing through <paramref name="lane"/>
    /// or, by default, a lane of its own (as a queue of another process would).
    /// </summary>
    public JobQueue Queue(TimeProvider? time = null, QueueOptions? options = null, WriteLane? lane = null) =>
        new(Contexts, lane ?? NewLane(), time ?? TimeProvider.System, Options.Create(options ?? new QueueOptions()));

    /// <summary>A write lane on this database, as a process of the app would have.</summary>
    public WriteLane NewLane() => new(Contexts, DataSource);

    /// <summary>A fake clock set to a fixed, known instant.</summary>
    public static FakeTimeProvider FakeClock() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (DataSource is not null)
        {
            DataSource.Dispose();
            PostgresServer.DropDatabaseAsync(ConnectionString).GetAwaiter().GetResult();
        }
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }

    private sealed class Factory(DbContextOptions<AppDbContext> options) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => new(options);
    }
}
