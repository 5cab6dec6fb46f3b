using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Queue;

/// <summary>A worker process's heartbeat row; its id is the owner name on the jobs it leases.</summary>
public sealed class WorkerProcess
{
    public required string Id { get; set; }

    public required string Host { get; set; }

    public int ProcessId { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime LastSeenAt { get; set; }

    /// <summary>
    /// The process's counters and histograms as of its last heartbeat (a <see cref="Monitoring.WorkerMetricsSnapshot"/>
    /// as JSON), which the web's <c>/metrics</c> exports; null until the first one.
    /// </summary>
    public string? Metrics { get; set; }
}

internal sealed class WorkerProcessConfiguration : IEntityTypeConfiguration<WorkerProcess>
{
    public void Configure(EntityTypeBuilder<WorkerProcess> b)
    {
        b.ToTable("Workers");
        b.Property(w => w.Id).HasMaxLength(200);
        b.Property(w => w.Host).HasMaxLength(200);
    }
}
