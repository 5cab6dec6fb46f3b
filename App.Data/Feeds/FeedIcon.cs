using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Feeds;

/// <summary>
/// A feed's icon, fetched by the worker and served by the web from here, so that a reader's
/// browser does not call every site it subscribes to. An empty <see cref="ContentType"/> (with no
/// data) records that the feed has no usable icon (as found at <see cref="FetchedAt"/>), so that it
/// is not looked for on every refresh.
/// </summary>
public sealed class FeedIcon
{
    public long FeedId { get; set; }

    /// <summary>An image type the web serves as is (png, ico, gif, jpeg, webp; never svg, which can carry script).</summary>
    public required string ContentType { get; set; }

    public required byte[] Data { get; set; }

    public DateTime FetchedAt { get; set; }

    /// <summary>How long an icon (or its absence) stands before a refresh looks again.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(30);
}

internal sealed class FeedIconConfiguration : IEntityTypeConfiguration<FeedIcon>
{
    public void Configure(EntityTypeBuilder<FeedIcon> b)
    {
        b.ToTable("FeedIcons");
        b.HasKey(i => i.FeedId);
        b.Property(i => i.ContentType).HasMaxLength(100);
        // The icon goes with its feed.
        b.HasOne<Feed>().WithOne().HasForeignKey<FeedIcon>(i => i.FeedId).OnDelete(DeleteBehavior.Cascade);
    }
}
