using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Backups;

/// <summary>
/// One backup run and its outcome: the file it wrote and its size, or the error that stopped it.
/// The latest row says whether the last backup failed (what a readiness check reads).
/// </summary>
public sealed class Backup
{
    public long Id { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime FinishedAt { get; set; }

    /// <summary>Who asked: <see cref="BackupTrigger"/>'s values.</summary>
    public required string Trigger { get; set; }

    /// <summary>The snapshot's full path; null when the run failed before writing it.</summary>
    public string? Path { get; set; }

    public long? SizeBytes { get; set; }

    /// <summary>Why the run failed, as a sentence; null when it succeeded.</summary>
    public string? Error { get; set; }

    public bool Succeeded => Error is null;
}

/// <summary>Who started a backup.</summary>
public static class BackupTrigger
{
    public const string Schedule = "schedule";

    public const string Admin = "admin";

    public const string CommandLine = "command line";
}

internal sealed class BackupConfiguration : IEntityTypeConfiguration<Backup>
{
    public void Configure(EntityTypeBuilder<Backup> b)
    {
        b.ToTable("Backups");
        b.Property(x => x.Trigger).HasMaxLength(40);
        b.Property(x => x.Path).HasMaxLength(4000);
        b.Property(x => x.Error).HasMaxLength(2000);
        b.Ignore(x => x.Succeeded);
        b.HasIndex(x => x.StartedAt);
    }
}
