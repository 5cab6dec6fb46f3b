using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Queue;

/// <summary>
/// Jobs enqueued together whose progress is followed as one (e.g. an import). A caller adds the
/// batch and its jobs (with <see cref="JobRequest.BatchId"/>) in one unit of work;
/// <see cref="JobBatchProgress"/> counts them by state.
/// </summary>
public sealed class JobBatch
{
    public long Id { get; set; }

    /// <summary>What the batch is, for people: e.g. "Import of feeds.opml".</summary>
    public required string Name { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Whom the batch is for (who imported), if anyone; the queue stores it for its callers and never reads it.</summary>
    public long? UserId { get; set; }

    /// <summary>Jobs of the batch deleted by the retention purge, by their final state: they still count.</summary>
    public int PurgedSucceeded { get; set; }

    public int PurgedFailed { get; set; }

    public int PurgedCancelled { get; set; }
}

internal sealed class JobBatchConfiguration : IEntityTypeConfiguration<JobBatch>
{
    public void Configure(EntityTypeBuilder<JobBatch> b)
    {
        b.ToTable("JobBatches");
        b.Property(x => x.Name).HasMaxLength(300);
    }
}
