using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Queue;

/// <summary>
/// How many jobs are in one finished state (succeeded, failed, cancelled), kept by triggers on
/// the jobs table: every insert, change of state and delete (the purge, a deleted feed's cascade)
/// adds or takes one. The queue's counts then read three rows instead of every finished job the
/// retention keeps (a week of hourly fetches of 10,000 feeds is 1.7 million rows; counting 100,000
/// over the (State, FinishedAt) index took 18 ms, a million 165 ms). Live jobs are counted on their
/// partial indexes instead: there are few (a feed has at most one live fetch), and a trigger on
/// every claim would cost the queue's hot path.
/// </summary>
public sealed class JobStateCount
{
    /// <summary>The states counted here, by their stored names.</summary>
    public static readonly JobState[] Counted = [JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    public required string State { get; set; }

    public long Count { get; set; }
}

internal sealed class JobStateCountConfiguration : IEntityTypeConfiguration<JobStateCount>
{
    public void Configure(EntityTypeBuilder<JobStateCount> b)
    {
        b.ToTable("JobStateCounts");
        b.HasKey(c => c.State);
        b.Property(c => c.State).HasMaxLength(16);
    }
}
