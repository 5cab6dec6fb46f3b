using System.Diagnostics;
using App.Bench.Support;

namespace App.Bench.Queue;

/// <summary>
/// The references every queue figure is compared with: the same jobs table, pragmas and file
/// system, driven by bare prepared statements, one job per transaction, and 64 per transaction
/// (what one transaction of a busy worker carries).
/// </summary>
public static class RawSqliteLimit
{
    /// <summary>Bare single-row INSERTs per second.</summary>
    public static double InsertsPerSecond(BenchDatabase db, int count)
    {
        using var connection = db.OpenRaw();
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO "Jobs" ("Type", "Payload", "State", "Priority", "RunAt", "Attempts", "MaxAttempts", "CreatedAt", "Version")
            VALUES ('noop', '{}', 'pending', 0, $now, 0, 5, $now, 0)
            """;
        var now = insert.Parameters.AddWithValue("$now", "");
        insert.Prepare();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            now.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
            insert.ExecuteNonQuery();
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>A conditional claim UPDATE and a conditional complete UPDATE per job, per second, over every pending job.</summary>
    public static double ClaimCompletesPerSecond(BenchDatabase db)
    {
        using var connection = db.OpenRaw();
        var ids = new List<long>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT \"Id\" FROM \"Jobs\" WHERE \"State\" = 'pending' ORDER BY \"Id\"";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        using var claim = connection.CreateCommand();
        claim.CommandText = """
            UPDATE "Jobs" SET "State" = 'running', "LeaseOwner" = 'raw', "LeaseExpiresAt" = $at, "StartedAt" = $at,
                              "Attempts" = "Attempts" + 1, "Version" = "Version" + 1
            WHERE "Id" = $id AND "Version" = 0 AND "State" = 'pending'
            """;
        var claimId = claim.Parameters.AddWithValue("$id", 0L);
        var claimAt = claim.Parameters.AddWithValue("$at", "");
        claim.Prepare();
        using var complete = connection.CreateCommand();
        complete.CommandText = """
            UPDATE "Jobs" SET "State" = 'succeeded', "FinishedAt" = $at, "LeaseExpiresAt" = NULL, "Version" = "Version" + 1
            WHERE "Id" = $id AND "Version" = 1 AND "LeaseOwner" = 'raw' AND "State" = 'running'
            """;
        var completeId = complete.Parameters.AddWithValue("$id", 0L);
        var completeAt = complete.Parameters.AddWithValue("$at", "");
        complete.Prepare();

        var clock = Stopwatch.StartNew();
        foreach (var id in ids)
        {
            claimId.Value = id;
            claimAt.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
            if (claim.ExecuteNonQuery() != 1)
            {
                throw new InvalidOperationException("raw claim lost");
            }
            completeId.Value = id;
            completeAt.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
            complete.ExecuteNonQuery();
        }
        return ids.Count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Jobs per second through a bare loop that, in each BEGIN IMMEDIATE transaction, claims up to
    /// <paramref name="batch"/> due jobs with one conditional UPDATE … RETURNING (on the due index, as
    /// the queue does) and completes each of them with a conditional UPDATE fenced like a lease:
    /// the machine's limit for claim-and-complete in batches, with nothing else (no leases to renew,
    /// no handlers, no second process).
    /// </summary>
    public static double BatchedClaimCompletesPerSecond(BenchDatabase db, int batch)
    {
        using var connection = db.OpenRaw();
        using var claim = connection.CreateCommand();
        claim.CommandText = """
            UPDATE "Jobs" SET "State" = 'running', "LeaseOwner" = 'raw', "LeaseExpiresAt" = $at, "StartedAt" = $at,
                              "Attempts" = "Attempts" + 1, "Version" = "Version" + 1
            WHERE "Id" IN (SELECT "Id" FROM "Jobs" INDEXED BY "IX_Jobs_DueByType"
                           WHERE "State" = 'pending' AND "Type" = 'noop' AND "RunAt" <= $at
                           ORDER BY "Priority" DESC, "RunAt", "Id" LIMIT $limit)
              AND +"State" = 'pending'
            RETURNING "Id", "Version"
            """;
        var claimAt = claim.Parameters.AddWithValue("$at", "");
        claim.Parameters.AddWithValue("$limit", batch);
        claim.Prepare();
        using var complete = connection.CreateCommand();
        complete.CommandText = """
            UPDATE "Jobs" SET "State" = 'succeeded', "FinishedAt" = $at, "LeaseExpiresAt" = NULL, "Version" = "Version" + 1
            WHERE "Id" = $id AND "Version" = $version AND "LeaseOwner" = 'raw' AND "State" = 'running'
            """;
        var completeId = complete.Parameters.AddWithValue("$id", 0L);
        var completeVersion = complete.Parameters.AddWithValue("$version", 0L);
        var completeAt = complete.Parameters.AddWithValue("$at", "");
        complete.Prepare();

        var claimed = new List<(long Id, long Version)>(batch);
        var done = 0;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            claim.Transaction = tx;
            complete.Transaction = tx;
            claimed.Clear();
            claimAt.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
            using (var reader = claim.ExecuteReader())
            {
                while (reader.Read())
                {
                    claimed.Add((reader.GetInt64(0), reader.GetInt64(1)));
                }
            }
            if (claimed.Count == 0)
            {
                break;
            }
            completeAt.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
            foreach (var (id, version) in claimed)
            {
                completeId.Value = id;
                completeVersion.Value = version;
                if (complete.ExecuteNonQuery() != 1)
                {
                    throw new InvalidOperationException("raw complete lost");
                }
            }
            tx.Commit();
            done += claimed.Count;
        }
        return done / clock.Elapsed.TotalSeconds;
    }
}
