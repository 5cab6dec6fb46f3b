using App.Data.Feeds;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Accounts;

/// <summary>An item a subscriber starred to keep. Rows go with the item and with the subscription.</summary>
public sealed class StarredItem
{
    public long UserId { get; set; }

    public long ItemId { get; set; }

    public long FeedId { get; set; }

    public DateTime StarredAt { get; set; }
}

internal sealed class StarredItemConfiguration : IEntityTypeConfiguration<StarredItem>
{
    public void Configure(EntityTypeBuilder<StarredItem> b)
    {
        b.ToTable("StarredItems");
        b.HasKey(s => new { s.UserId, s.ItemId });
        b.HasIndex(s => new { s.UserId, s.FeedId });
        b.HasIndex(s => s.ItemId);
        b.HasOne<FeedItem>().WithMany().HasForeignKey(s => s.ItemId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Subscription>().WithMany().HasForeignKey(s => new { s.UserId, s.FeedId }).OnDelete(DeleteBehavior.Cascade);
    }
}
