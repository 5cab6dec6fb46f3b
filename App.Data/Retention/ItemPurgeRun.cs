using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Retention;

/// <summary>One run of the item purge and what it removed; the latest row is what the settings page shows.</summary>
public sealed class ItemPurgeRun
{
    public long Id { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime FinishedAt { get; set; }

    /// <summary>How many items the run deleted (their unread marks went with them).</summary>
    public int Deleted { get; set; }
}

internal sealed class ItemPurgeRunConfiguration : IEntityTypeConfiguration<ItemPurgeRun>
{
    public void Configure(EntityTypeBuilder<ItemPurgeRun> b)
    {
        b.ToTable("ItemPurgeRuns");
        b.HasIndex(x => x.StartedAt);
    }
}
