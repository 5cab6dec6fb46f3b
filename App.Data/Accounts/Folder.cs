using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Accounts;

/// <summary>
/// A user's folder of subscriptions (a Google Reader label). A subscription sits in at most one;
/// nested OPML categories are flattened to their path ("Tech / Databases"), as Miniflux does.
/// Deleting a folder leaves its feeds in no folder.
/// </summary>
public sealed class Folder
{
    public const int MaxNameLength = 200;

    public long Id { get; set; }

    public long UserId { get; set; }

    /// <summary>Unique per user regardless of letter case.</summary>
    public required string Name { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class FolderConfiguration : IEntityTypeConfiguration<Folder>
{
    public void Configure(EntityTypeBuilder<Folder> b)
    {
        b.ToTable("Folders");
        b.Property(f => f.Name).HasMaxLength(Folder.MaxNameLength).UseCollation("NOCASE");
        b.HasIndex(f => new { f.UserId, f.Name }).IsUnique();
        b.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
