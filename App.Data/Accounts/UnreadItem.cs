using App.Data.Feeds;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Accounts;

/// <summary>
/// An item a subscriber has not read. Unread is the row's presence, not a flag on every item, so
/// that unread counts and the unread river read only the unread rows, usually few: the worker adds
/// a row per subscriber for each new item, the reader deletes it on reading. Rows go with the item
/// and with the subscription (unsubscribing forgets the marks).
/// </summary>
public sealed class UnreadItem
{
    public long UserId { get; set; }

    public long ItemId { get; set; }

    /// <summary>The item's feed, copied here so that per-feed counts need not join the items.</summary>
    public long FeedId { get; set; }
}

internal sealed class UnreadItemConfiguration : IEntityTypeConfiguration<UnreadItem>
{
    public void Configure(EntityTypeBuilder<UnreadItem> b)
    {
        b.ToTable("UnreadItems");
        // The user's unread river, newest first, is a walk of the key.
        b.HasKey(u => new { u.UserId, u.ItemId });
        // Unread counts and lists per feed.
        b.HasIndex(u => new { u.UserId, u.FeedId, u.ItemId });
        // The cascade from a deleted item finds its rows.
        b.HasIndex(u => u.ItemId);
        b.HasOne<FeedItem>().WithMany().HasForeignKey(u => u.ItemId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Subscription>().WithMany().HasForeignKey(u => new { u.UserId, u.FeedId }).OnDelete(DeleteBehavior.Cascade);
    }
}
