using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Feeds;

/// <summary>One entry of a feed. Ids grow with publication order within a fetch, so "newest first" is id order.</summary>
public sealed class FeedItem
{
    public long Id { get; set; }

    public long FeedId { get; set; }

    /// <summary>What identifies the item within its feed: its guid, else its link, else a hash of title and content.</summary>
    public required string Key { get; set; }

    /// <summary>The guid/id the feed gave, if any.</summary>
    public string? Guid { get; set; }

    /// <summary>Plain text, never HTML.</summary>
    public string? Title { get; set; }

    public string? Link { get; set; }

    public string? Author { get; set; }

    /// <summary>When the item was published; its updated date, else the time it was first seen, when the feed gives none.</summary>
    public DateTime? PublishedAt { get; set; }

    /// <summary>When the feed says the item last changed, if it says.</summary>
    public DateTime? UpdatedAt { get; set; }

    /// <summary>The item's summary (RSS description, Atom summary), sanitized HTML.</summary>
    public string? Summary { get; set; }

    /// <summary>What the API serves: the full content if the feed gives one, else the summary; sanitized HTML.</summary>
    public string? ContentHtml { get; set; }

    /// <summary>The start of the summary (else the content) as plain text, for lists of items.</summary>
    public string? Excerpt { get; set; }

    /// <summary>The whole content (else the summary) as plain text: what search indexes beside the title (see FeedItemSearch).</summary>
    public string? ContentText { get; set; }

    /// <summary>An attached media file (podcast episode), http/https.</summary>
    public string? EnclosureUrl { get; set; }

    public string? EnclosureType { get; set; }

    /// <summary>The enclosure's size in bytes, as the feed states it.</summary>
    public long? EnclosureLength { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// The readable article extracted from the page at <see cref="Link"/> by a fetch-article job,
    /// sanitized; null until one succeeded. Kept beside the feed's own text, never instead of it.
    /// </summary>
    public string? ArticleHtml { get; set; }

    /// <summary>When <see cref="ArticleHtml"/> was stored.</summary>
    public DateTime? ArticleFetchedAt { get; set; }
}

internal sealed class FeedItemConfiguration : IEntityTypeConfiguration<FeedItem>
{
    public void Configure(EntityTypeBuilder<FeedItem> b)
    {
        b.ToTable("FeedItems");
        b.Property(i => i.Key).HasMaxLength(2048);
        b.HasIndex(i => new { i.FeedId, i.Key }).IsUnique();
        b.Property(i => i.EnclosureUrl).HasMaxLength(2048);
        b.Property(i => i.EnclosureType).HasMaxLength(256);
        b.Property(i => i.Excerpt).HasMaxLength(300);
        // Keyset paging of a feed's items, newest (highest id) first.
        b.HasIndex(i => new { i.FeedId, i.Id }).IsDescending(false, true);
    }
}
