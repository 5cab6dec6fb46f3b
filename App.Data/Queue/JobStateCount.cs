using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Queue;

/// <summary>
/// How many jobs are in one finished state (succeeded, failed, cancelled). The queue's writes that
/// move jobs into or out of these states add or take their number in the same transaction (only
/// <see cref="JobQueue"/> changes a job's state, and jobs are created pending); a trigger takes
/// the rows deleted by any statement (the purge, a deleted feed's cascade). The queue's counts then read three rows
/// instead of every finished job the retention keeps (a week of hourly fetches of 10,000 feeds is
/// 1.7 million rows; counting 100,000 over the (State, FinishedAt) index took 18 ms, a million
/// 165 ms). Live jobs are counted on their partial indexes instead: there are few (a feed has at
/// most one live fetch).
/// On PostgreSQL each state's count is split over <see cref="Shards"/> rows, and a writer adds to
/// the row of its session (<c>pg_backend_pid() % 16</c>): with one row, every worker's completions
/// waited on its lock until the holder committed, so workers took turns. SQLite has one writer at a
/// time and uses row 0 only. A count is the sum of its rows.
/// </summary>
public sealed class JobStateCount
{
    /// <summary>The states counted here, by their stored names.</summary>
    public static readonly JobState[] Counted = [JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    /// <summary>How many rows a state's count is split over on PostgreSQL.</summary>
    public const int Shards = 16;

    public required string State { get; set; }

    /// <summary>Which of the state's rows this is (0 to <see cref="Shards"/> − 1; always 0 on SQLite).</summary>
    public int Shard { get; set; }

    public long Count { get; set; }
}

internal sealed class JobStateCountConfiguration : IEntityTypeConfiguration<JobStateCount>
{
    public void Configure(EntityTypeBuilder<JobStateCount> b)
    {
        b.ToTable("JobStateCounts");
        b.HasKey(c => new { c.State, c.Shard });
        b.Property(c => c.State).HasMaxLength(16);
    }
}
