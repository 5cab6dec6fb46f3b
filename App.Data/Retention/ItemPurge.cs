using App.Data.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace App.Data.Retention;

/// <summary>
/// Deletes old items so the one SQLite file stops growing (<see cref="RetentionOptions"/>): an item
/// goes when it is older than <see cref="RetentionOptions.RetainReadItems"/> and nobody has it
/// unread, or older than <see cref="RetentionOptions.RetainUnreadItems"/> whoever has it unread;
/// a starred item (anyone's) never goes, nor do the newest <see cref="RetentionOptions.KeepItemsPerFeed"/>
/// of each feed. Each chunk is its own short transaction on the process's <see cref="WriteLane"/>,
/// so the queue's and the web's writes get the lock between chunks.
/// </summary>
public sealed class ItemPurge(
    IDbContextFactory<AppDbContext> contexts,
    WriteLane lane,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<ItemPurge> log)
{
    /// <summary>Items examined per transaction.</summary>
    public const int DefaultChunkSize = 300;

    /// <summary>A run that deleted at least this many items truncates the WAL after, which otherwise stays at its peak size.</summary>
    public const int CheckpointAfter = 1000;

    /// <summary>Runs the purge over every feed, records the run, and returns it.</summary>
    public async Task<ItemPurgeRun> RunAsync(int chunkSize = DefaultChunkSize, CancellationToken ct = default)
    {
        var started = time.GetUtcNow().UtcDateTime;
        var cutoffs = Cutoffs.At(started, options.Value);
        var deleted = 0;
        foreach (var feedId in await FeedIdsAsync(ct))
        {
            var after = 0L;
            Chunk chunk;
            do
            {
                chunk = await lane.InWriteTransactionAsync(c =>
                {
                    var found = Examine(c.Statement(ItemPurgeSql.Candidates), feedId, after, chunkSize, cutoffs);
                    if (found.Doomed.Count > 0)
                    {
                        var delete = c.Statement(ItemPurgeSql.Delete(c.Engine));
                        delete.Parameters.AddIds("@ids", found.Doomed);
                        delete.ExecuteNonQuery();
                    }
                    return found;
                }, ct);
                deleted += chunk.Doomed.Count;
                after = chunk.LastId;
            }
            while (chunk.More);
        }
        var run = new ItemPurgeRun { StartedAt = started, FinishedAt = time.GetUtcNow().UtcDateTime, Deleted = deleted };
        run.Id = await lane.InWriteTransactionAsync(c =>
        {
            var insert = c.Statement(ItemPurgeSql.RecordRun + " RETURNING \"Id\"");
            insert.Parameters.AddWithValue("@startedAt", run.StartedAt);
            insert.Parameters.AddWithValue("@finishedAt", run.FinishedAt);
            insert.Parameters.AddWithValue("@deleted", run.Deleted);
            return Convert.ToInt64(insert.ExecuteScalar());
        }, ct);
        if (deleted >= CheckpointAfter && lane.Engine == DatabaseEngine.Sqlite)
        {
            Checkpoint();
        }
        return run;
    }

    /// <summary>How many items a run now would delete: the same walk and rules, read-only.</summary>
    public async Task<int> CountDueAsync(CancellationToken ct = default) => await CountDueAsync(int.MaxValue, ct);

    /// <summary>
    /// As <see cref="CountDueAsync(CancellationToken)"/>, but stops once <paramref name="atMost"/>
    /// are found: a page that shows the figure then costs a bounded walk, not one over a backlog
    /// of hundreds of thousands (measured at 1.4–2.4 s with 190,000 due).
    /// </summary>
    public async Task<int> CountDueAsync(int atMost, CancellationToken ct = default)
    {
        var cutoffs = Cutoffs.At(time.GetUtcNow().UtcDateTime, options.Value);
        var ids = await FeedIdsAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var due = 0;
        foreach (var feedId in ids)
        {
            var after = 0L;
            Chunk chunk;
            do
            {
                // One read transaction per chunk, like the purge's: a snapshot is not held across feeds.
                // A command per chunk: a prepared Npgsql command keeps the parameters it first ran with.
                await using var select = db.Database.GetDbConnection().CreateCommand();
                select.CommandText = ItemPurgeSql.Candidates;
                chunk = Examine(select, feedId, after, DefaultChunkSize, cutoffs);
                due += chunk.Doomed.Count;
                after = chunk.LastId;
                if (due >= atMost)
                {
                    return atMost;
                }
            }
            while (chunk.More);
        }
        return due;
    }

    /// <summary>The latest recorded run, if any.</summary>
    public static Task<ItemPurgeRun?> LastRunAsync(AppDbContext db, CancellationToken ct) =>
        db.ItemPurgeRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);

    private async Task<List<long>> FeedIdsAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Database.SqlQueryRaw<long>(ItemPurgeSql.Feeds).ToListAsync(ct);
    }

    /// <summary>
    /// Reads one chunk of a feed's candidates and picks those that go. Items are stored in id order
    /// with the time they were stored, so the first one too young for any rule ends the feed's walk.
    /// </summary>
    private static Chunk Examine(System.Data.Common.DbCommand select, long feedId, long after, int limit, Cutoffs cutoffs)
    {
        select.Parameters.AddWithValue("@feedId", feedId);
        select.Parameters.AddWithValue("@after", after);
        select.Parameters.AddWithValue("@keep", cutoffs.Keep);
        select.Parameters.AddWithValue("@limit", limit);
        var doomed = new List<long>();
        var lastId = after;
        var examined = 0;
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            var createdAt = reader.GetDateTime(1);
            if (createdAt >= cutoffs.Read)
            {
                return new Chunk(doomed, lastId, More: false);
            }
            examined++;
            lastId = reader.GetInt64(0);
            var starred = reader.GetBoolean(2);
            var unread = reader.GetBoolean(3);
            if (!starred && (createdAt < cutoffs.Unread || !unread))
            {
                doomed.Add(lastId);
            }
        }
        return new Chunk(doomed, lastId, More: examined == limit);
    }

    private void Checkpoint()
    {
        var (busy, pages, moved) = lane.Exclusive(c =>
        {
            using var reader = c.Statement(ItemPurgeSql.Checkpoint).ExecuteReader();
            reader.Read();
            return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
        });
        if (busy != 0)
        {
            // A reader still on an older snapshot: SQLite's own checkpoints finish the job later, but
            // the WAL file keeps its size until one finds no reader in the way.
            log.LogInformation("The WAL checkpoint after the purge was held up by a reader ({Moved} of {Pages} pages moved)", moved, pages);
        }
    }

    private readonly record struct Cutoffs(DateTime Read, DateTime Unread, int Keep)
    {
        public static Cutoffs At(DateTime now, RetentionOptions options) =>
            new(now - options.RetainReadItems, now - options.RetainUnreadItems, options.KeepItemsPerFeed);
    }

    private sealed record Chunk(List<long> Doomed, long LastId, bool More);
}
