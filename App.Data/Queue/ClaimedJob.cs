using System.Data.Common;

namespace App.Data.Queue;

/// <summary>A job taken by a worker, with what its handler needs.</summary>
public sealed record ClaimedJob(
    Lease Lease,
    string Type,
    string Payload,
    long? FeedId,
    int Attempt,
    int MaxAttempts,
    DateTime LeaseExpiresAt)
{
    /// <summary>
    /// The jobs a claim statement returned (<see cref="JobSql.ClaimDue"/>'s columns), in the order
    /// they are to run: RETURNING gives rows in no particular order.
    /// </summary>
    internal static List<ClaimedJob> ReadAll(DbDataReader reader, string owner, DateTime expires)
    {
        var rows = new List<(int Priority, DateTime RunAt, ClaimedJob Job)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt32(7), reader.GetDateTime(8), new ClaimedJob(
                new Lease(reader.GetInt64(0), reader.GetInt64(1), owner),
                Type: reader.GetString(2),
                Payload: reader.GetString(3),
                FeedId: reader.IsDBNull(4) ? null : reader.GetInt64(4),
                Attempt: reader.GetInt32(5),
                MaxAttempts: reader.GetInt32(6),
                LeaseExpiresAt: expires)));
        }
        return [.. rows.OrderByDescending(r => r.Priority).ThenBy(r => r.RunAt).ThenBy(r => r.Job.Lease.JobId).Select(r => r.Job)];
    }
}
