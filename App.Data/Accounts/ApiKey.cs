using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Accounts;

/// <summary>
/// A secret a user gives to a script or a sync app instead of their password. Only its SHA-256
/// is stored (the key itself is shown once, when created): keys are long random strings, so a
/// fast hash is enough, and a lookup by hash is one index seek per request.
/// </summary>
public sealed class ApiKey
{
    public long Id { get; set; }

    public long UserId { get; set; }

    /// <summary>What the user calls it, e.g. "NetNewsWire on my phone".</summary>
    public required string Name { get; set; }

    /// <summary>Lowercase hex SHA-256 of the key.</summary>
    public required string KeyHash { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When a request last came with this key (kept to the minute, so that use does not write on every request).</summary>
    public DateTime? LastUsedAt { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("ApiKeys");
        b.Property(k => k.Name).HasMaxLength(100);
        b.Property(k => k.KeyHash).HasMaxLength(64);
        b.HasIndex(k => k.KeyHash).IsUnique();
        b.HasIndex(k => k.UserId);
        b.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
