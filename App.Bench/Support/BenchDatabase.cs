using App.Data;
using App.Data.Queue;
using App.Data.Sqlite;
using App.Data.Writes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace App.Bench.Support;

/// <summary>A migrated SQLite file in a temp folder, configured exactly as the app configures its own.</summary>
public sealed class BenchDatabase : IDisposable
{
    private BenchDatabase(string folder)
    {
        Folder = folder;
        ConnectionString = $"Data Source={Path.Combine(folder, "bench.db")}";
        var options = new DbContextOptionsBuilder<AppDbContext>();
        SqliteConnectionSetup.Apply(options, ConnectionString);
        Contexts = new PooledDbContextFactory<AppDbContext>(options.Options);
    }

    public string Folder { get; }

    public string ConnectionString { get; }

    public IDbContextFactory<AppDbContext> Contexts { get; }

    public static async Task<BenchDatabase> CreateAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "app-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var db = new BenchDatabase(folder);
        await using var context = db.Contexts.CreateDbContext();
        await DatabaseSetup.MigrateAsync(context, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));
        return db;
    }

    public JobQueue Queue(QueueOptions? options = null) =>
        new(Contexts, new WriteLane(Contexts), TimeProvider.System, Options.Create(options ?? new QueueOptions()));

    /// <summary>A raw connection with the app's per-connection pragmas.</summary>
    /// <summary>The steps of SQLite's plan for <paramref name="sql"/> (EXPLAIN QUERY PLAN's detail column), in order.</summary>
    public List<string> QueryPlan(string sql)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        // EF's ToQueryString declares the parameters first (".param set" lines); SQLite needs them bound instead.
        var lines = sql.Split('\n');
        foreach (var line in lines.Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)))
        {
            var parts = line[".param set ".Length..].Trim().Split(' ', 2);
            command.Parameters.AddWithValue(parts[0], long.TryParse(parts[1], out var n) ? n : parts[1].Trim('\''));
        }
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join('\n', lines.Where(l => !l.StartsWith(".param set ", StringComparison.Ordinal)));
        using var reader = command.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read())
        {
            steps.Add(reader.GetString(3));
        }
        return steps;
    }

    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Inserts <paramref name="count"/> jobs in large transactions (set-up, not measured).</summary>
    /// <param name="oneTransaction">
    /// All in one commit, for a timed drain whose clock starts at it: in chunks (50,000 a
    /// transaction, to bound the insert's memory) workers drain the first chunks before the clock
    /// starts, which made a 200,000-job drain look up to three times as fast.
    /// </param>
    public void InsertJobs(int count, string type, string payload, string state = "pending", bool oneTransaction = false)
    {
        using var connection = OpenRaw();
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
        for (var done = 0; done < count;)
        {
            using var tx = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO "Jobs" ("Type", "Payload", "State", "Priority", "RunAt", "Attempts", "MaxAttempts", "CreatedAt", "FinishedAt", "Version")
                VALUES ($type, $payload, $state, 0, $now, 0, 5, $now, CASE WHEN $state = 'pending' THEN NULL ELSE $now END, 0)
                """;
            insert.Parameters.AddWithValue("$type", type);
            insert.Parameters.AddWithValue("$payload", payload);
            insert.Parameters.AddWithValue("$state", state);
            insert.Parameters.AddWithValue("$now", now);
            insert.Prepare();
            var batch = oneTransaction ? count : Math.Min(50_000, count - done);
            for (var i = 0; i < batch; i++)
            {
                insert.ExecuteNonQuery();
            }
            tx.Commit();
            done += batch;
        }
    }

    /// <summary>Succeeded jobs as the queue counts them (JobStateCounts): one row read, whatever the table holds.</summary>
    public long SucceededCount()
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(\"Count\"), 0) FROM \"JobStateCounts\" WHERE \"State\" = 'succeeded'";
        return (long)command.ExecuteScalar()!;
    }

    public long Count(string where)
    {
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"Jobs\" WHERE {where}";
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
