using App.Data.Postgres;
using App.Data.Writes;
using Npgsql;

namespace App.Data.Queue;

/// <summary>
/// A worker's pass on PostgreSQL in one round trip (<see cref="JobQueue.CompleteAndClaim"/>): one
/// <see cref="NpgsqlBatch"/> holding a claim per wanted job type, then the completion of the
/// finished jobs with their count, run as one implicit transaction. The claims come first so that
/// the count's row, which every worker's completions update, is locked only for the end of the
/// batch. With nothing due a claim changes no row, so a pass that finds nothing writes nothing
/// and needs no look before it (SQLite's pass reads first to spare the write lock). Expired
/// leases are looked for in the pass of several statements, once a second (<see cref="JobQueue"/>).
/// </summary>
internal sealed class PostgresPass
{
    private static readonly PostgresJobSql Sql = (PostgresJobSql)JobSql.Postgres;

    public CompleteAndClaimResult Run(
        WriteConnection connection, IReadOnlyList<Lease> completed, string owner, IReadOnlyList<TypeClaim> wanted, DateTime now, DateTime expires)
    {
        if (completed.Count == 0 && wanted.Count == 0)
        {
            return new CompleteAndClaimResult([], [], TimeSpan.Zero);
        }
        var postgres = (PostgresWriteConnection)connection;
        var (won, claimed) = postgres.InOneRoundTrip(batch =>
        {
            foreach (var (type, max) in wanted)
            {
                var claim = new NpgsqlBatchCommand(Sql.ClaimDue);
                claim.Parameters.AddWithValue("@owner", owner);
                claim.Parameters.AddWithValue("@expires", expires);
                claim.Parameters.AddWithValue("@now", now);
                claim.Parameters.AddWithValue("@limit", max);
                claim.Parameters.AddWithValue("@type", type!);
                batch.BatchCommands.Add(claim);
            }
            if (completed.Count > 0)
            {
                var complete = new NpgsqlBatchCommand(Sql.CompleteCounted);
                PostgresJobSql.BindLeases(complete.Parameters, completed);
                complete.Parameters.AddWithValue("@now", now);
                batch.BatchCommands.Add(complete);
            }
            var claimed = new List<ClaimedJob>();
            using var reader = batch.ExecuteReader();
            for (var i = 0; i < wanted.Count; i++)
            {
                claimed.AddRange(ClaimedJob.ReadAll(reader, owner, expires, wanted[i].Type));
                reader.NextResult();
            }
            var won = completed.Count > 0 ? JobSql.Won(reader, completed) : [];
            return (won, claimed);
        });
        return new CompleteAndClaimResult(won, claimed, postgres.LastLockHeld);
    }
}
