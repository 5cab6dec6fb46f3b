using System.Diagnostics;
using App.Bench.Support;

namespace App.Bench.Queue;

/// <summary>
/// The reference every queue figure is compared with: the same jobs table, pragmas and file
/// system, driven by bare prepared statements, one job per transaction.
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
}
