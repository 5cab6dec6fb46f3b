using System.Data.Common;
using Microsoft.Data.Sqlite;

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
    /// they are to run: RETURNING gives rows in no particular order. A claim of one
    /// <paramref name="type"/> names it, and the column is not read again for every row.
    /// </summary>
    internal static List<ClaimedJob> ReadAll(DbDataReader reader, string owner, DateTime expires, string? type)
    {
        // SQLite keeps RunAt as text in one format, and the claim's ORDER BY compares that text: it
        // is compared here as read too, instead of parsing a DateTime per job on the writer's thread.
        var text = reader is SqliteDataReader;
        var rows = new List<Row>();
        while (reader.Read())
        {
            rows.Add(new Row(
                reader.GetInt32(7),
                text ? reader.GetString(8) : null,
                text ? default : reader.GetDateTime(8),
                new ClaimedJob(
                    new Lease(reader.GetInt64(0), reader.GetInt64(1), owner),
                    Type: type ?? reader.GetString(2),
                    Payload: reader.GetString(3),
                    FeedId: reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    Attempt: reader.GetInt32(5),
                    MaxAttempts: reader.GetInt32(6),
                    LeaseExpiresAt: expires)));
        }
        rows.Sort(Row.ByRunOrder);
        return rows.ConvertAll(r => r.Job);
    }

    private readonly record struct Row(int Priority, string? RunAtText, DateTime RunAt, ClaimedJob Job)
    {
        // Priority first (higher first), then due time, then id: the claim statements' ORDER BY.
        public static int ByRunOrder(Row a, Row b)
        {
            var order = b.Priority.CompareTo(a.Priority);
            if (order == 0)
            {
                order = a.RunAtText is not null ? string.CompareOrdinal(a.RunAtText, b.RunAtText) : a.RunAt.CompareTo(b.RunAt);
            }
            return order != 0 ? order : a.Job.Lease.JobId.CompareTo(b.Job.Lease.JobId);
        }
    }
}
