using App.Data.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Accounts;

/// <summary>A person who signs in. Their subscriptions, read marks, stars, API keys and imports belong to them.</summary>
public sealed class User
{
    public long Id { get; set; }

    /// <summary>Unique regardless of letter case.</summary>
    public required string Username { get; set; }

    /// <summary>
    /// ASP.NET Core Identity's password hash; null while no password was ever set (an account made by
    /// the migration that introduced accounts, for the feeds of an install that had none), which
    /// cannot sign in until the web process gives it one at start.
    /// </summary>
    public string? PasswordHash { get; set; }

    public bool IsAdmin { get; set; }

    /// <summary>
    /// Changes with the password: a session cookie carries the value it was issued with and stops
    /// working when the two differ, so a password change signs out every other session.
    /// </summary>
    public required string SecurityStamp { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.ToTable("Users");
        // NOCASE: "Alice" and "alice" are one name, for sign-in and for uniqueness alike.
        b.Property(u => u.Username).HasMaxLength(64).UseCollation("NOCASE");
        b.HasIndex(u => u.Username).IsUnique();
        b.Property(u => u.PasswordHash).HasMaxLength(256);
        b.Property(u => u.SecurityStamp).HasMaxLength(64);
        // A user's imports go with them; the batch's jobs stay (they belong to feeds).
        b.HasMany<JobBatch>().WithOne().HasForeignKey(j => j.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
