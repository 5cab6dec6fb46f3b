using App.Data.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Feeds;

/// <summary>A subscribed feed.</summary>
public sealed class Feed
{
    public long Id { get; set; }

    /// <summary>The feed document's address (absolute http/https); unique.</summary>
    public required string Url { get; set; }

    /// <summary>
    /// The address the feed was subscribed with, kept when a fetch moved <see cref="Url"/> away from
    /// it (a web page whose feed was discovered, a permanent redirect), so that subscribing with it
    /// again finds this feed instead of adding a second one; null while the two are the same.
    /// </summary>
    public string? AddedUrl { get; set; }

    /// <summary>The feed's own title, as text; null until first fetched.</summary>
    public string? Title { get; set; }

    /// <summary>The web site the feed belongs to.</summary>
    public string? SiteUrl { get; set; }

    /// <summary>The feed's icon or logo, if it names one.</summary>
    public string? IconUrl { get; set; }

    /// <summary>The ETag of the last full response, sent back as If-None-Match.</summary>
    public string? ETag { get; set; }

    /// <summary>The Last-Modified of the last full response (RFC 1123 text), sent back as If-Modified-Since.</summary>
    public string? LastModified { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When a fetch last succeeded.</summary>
    public DateTime? LastFetchedAt { get; set; }

    /// <summary>Why the last fetch failed; null after a success.</summary>
    public string? LastError { get; set; }

    /// <summary>What the last stored fetch left out (more items than <c>Feeds:MaxItemsPerFetch</c>), as a sentence; null when nothing.</summary>
    public string? FetchNote { get; set; }

    /// <summary>When the background scheduler next refreshes the feed; null: as soon as it can.</summary>
    public DateTime? NextRefreshAt { get; set; }

    /// <summary>Failed fetches since the last success; drives the refresh backoff.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>How often the scheduler refreshes this feed, in minutes (within <see cref="FeedSettings"/>' bounds); null: <c>Feeds:RefreshInterval</c>.</summary>
    public int? RefreshIntervalMinutes { get; set; }

    /// <summary>The User-Agent header this feed's fetches send; null: the reader's own.</summary>
    public string? UserAgent { get; set; }

    /// <summary>The scheduler leaves the feed alone; a subscriber's "refresh now" still fetches it.</summary>
    public bool Disabled { get; set; }

    public List<FeedItem> Items { get; set; } = [];
}

internal sealed class FeedConfiguration : IEntityTypeConfiguration<Feed>
{
    public void Configure(EntityTypeBuilder<Feed> b)
    {
        b.ToTable("Feeds");
        b.Property(f => f.Url).HasMaxLength(2048);
        b.HasIndex(f => f.Url).IsUnique();
        b.Property(f => f.AddedUrl).HasMaxLength(2048);
        b.HasIndex(f => f.AddedUrl).HasFilter("\"AddedUrl\" IS NOT NULL");
        b.Property(f => f.IconUrl).HasMaxLength(2048);
        b.Property(f => f.ETag).HasMaxLength(1024);
        b.Property(f => f.LastModified).HasMaxLength(128);
        b.Property(f => f.FetchNote).HasMaxLength(500);
        b.Property(f => f.UserAgent).HasMaxLength(FeedSettings.MaxUserAgentLength);
        b.HasIndex(f => f.NextRefreshAt);
        b.HasMany(f => f.Items).WithOne().HasForeignKey(i => i.FeedId).OnDelete(DeleteBehavior.Cascade);
        // Deleting a feed takes its jobs along; a running one then finds its lease gone and stores nothing.
        b.HasMany<Job>().WithOne().HasForeignKey(j => j.FeedId).OnDelete(DeleteBehavior.Cascade);
    }
}
