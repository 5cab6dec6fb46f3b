using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Queue;

/// <summary>
/// The effect of a no-op job asked to record itself, written in the same transaction as its
/// completion: crash tests and the bench count these rows to check that every job's effect is
/// recorded exactly once.
/// </summary>
public sealed class NoopRun
{
    public long Id { get; set; }

    public long JobId { get; set; }

    public required string Worker { get; set; }

    public DateTime RecordedAt { get; set; }
}

internal sealed class NoopRunConfiguration : IEntityTypeConfiguration<NoopRun>
{
    public void Configure(EntityTypeBuilder<NoopRun> b)
    {
        b.ToTable("NoopRuns");
        b.Property(r => r.Worker).HasMaxLength(200);
        // Not unique on purpose: a second effect for one job must be countable, not refused.
        b.HasIndex(r => r.JobId);
    }
}
