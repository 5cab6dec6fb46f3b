using App.Data.Feeds;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Accounts;

/// <summary>
/// A user's subscription to a feed. However many users subscribe to one address, there is one
/// feed row, one fetch and one copy of its items; what is personal (a name of one's own, read
/// marks, stars) hangs off this row.
/// </summary>
public sealed class Subscription
{
    public long UserId { get; set; }

    public long FeedId { get; set; }

    public Feed Feed { get; set; } = null!;

    /// <summary>The user's own name for the feed; null shows the feed's title.</summary>
    public string? Title { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The user's folder the feed sits in; null: none.</summary>
    public long? FolderId { get; set; }

    /// <summary>
    /// "Fetch original content": each new item of the feed gets a fetch-article job, which stores
    /// the readable article from the item's link beside the feed's own text (see ArticleJobs).
    /// </summary>
    public bool FetchOriginalContent { get; set; }
}

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> b)
    {
        b.ToTable("Subscriptions");
        b.HasKey(s => new { s.UserId, s.FeedId });
        b.Property(s => s.Title).HasMaxLength(500);
        // "Who subscribes to this feed" (the worker's unread marks, the last unsubscribe) is a seek too.
        b.HasIndex(s => s.FeedId);
        // A folder's feeds (its river, its unread count) are a seek; deleting the folder leaves them in none.
        b.HasIndex(s => new { s.UserId, s.FolderId });
        b.HasOne<Folder>().WithMany().HasForeignKey(s => s.FolderId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(s => s.Feed).WithMany().HasForeignKey(s => s.FeedId).OnDelete(DeleteBehavior.Cascade);
    }
}
