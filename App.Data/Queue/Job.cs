using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace App.Data.Queue;

/// <summary>A row of the jobs table. Only <see cref="JobQueue"/> changes a job after it is enqueued.</summary>
public sealed class Job
{
    public long Id { get; set; }

    /// <summary>Handler name, e.g. "fetch-feed".</summary>
    public required string Type { get; set; }

    /// <summary>Handler input as JSON.</summary>
    public string Payload { get; set; } = "{}";

    /// <summary>
    /// At most one live (pending or running) job holds a given key; a second enqueue with the same
    /// key is refused by a partial unique index. Null: no such limit.
    /// </summary>
    public string? UniqueKey { get; set; }

    /// <summary>The feed the job works on, if any. The queue stores it for its callers and never reads it.</summary>
    public long? FeedId { get; set; }

    /// <summary>The <see cref="JobBatch"/> the job was enqueued in, if any.</summary>
    public long? BatchId { get; set; }

    public JobState State { get; set; } = JobState.Pending;

    /// <summary>Higher runs first among due jobs.</summary>
    public int Priority { get; set; }

    /// <summary>Not claimable before this time (UTC): backoff and scheduling.</summary>
    public DateTime RunAt { get; set; }

    /// <summary>Attempts started, counted at claim time so that a crash also spends one.</summary>
    public int Attempts { get; set; }

    public int MaxAttempts { get; set; }

    /// <summary>The worker holding the job while running; kept afterwards as "last run by".</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>While running: when another worker may rescue the job.</summary>
    public DateTime? LeaseExpiresAt { get; set; }

    public string? LastError { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>
    /// Incremented by every change of state or owner; with <see cref="LeaseOwner"/> it is the
    /// fencing token of a claim (see <see cref="Lease"/>).
    /// </summary>
    public long Version { get; set; }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> b)
    {
        b.ToTable("Jobs", t =>
        {
            t.HasCheckConstraint(
                "CK_Jobs_State",
                $"\"State\" IN ({string.Join(", ", JobStateNames.All.Select(n => $"'{n}'"))})");
            // It keeps JobStateCounts for deleted rows (created by the JobStateCounts migration).
            // EF Core must not use RETURNING on a table with AFTER triggers.
            t.HasTrigger(JobSql.CountOnDelete);
            t.UseSqlReturningClause(false);
        });
        b.Property(j => j.Type).HasMaxLength(100);
        b.Property(j => j.UniqueKey).HasMaxLength(200);
        b.Property(j => j.LeaseOwner).HasMaxLength(200);
        b.Property(j => j.State)
            .HasConversion(s => s.ToName(), s => JobStateNames.Parse(s))
            .HasMaxLength(16);
        b.Property(j => j.Version).IsConcurrencyToken();

        // "Next due job of a type" is an ordered walk of this index from the type's first entry:
        // no scan, no sort. By type first, because a worker claims each type for its own free slots
        // (JobSql.ClaimDue); ordered by priority alone, a claim for a type with free slots walked
        // past every pending job of the types whose slots were full.
        b.HasIndex(j => new { j.Type, j.Priority, j.RunAt, j.Id })
            .HasDatabaseName("IX_Jobs_DueByType")
            .IsDescending(false, true, false, false)
            .HasFilter(JobSql.StateIn(JobTransitions.Claim.From));

        // Expired leases are found by a seek too.
        b.HasIndex(j => j.LeaseExpiresAt)
            .HasDatabaseName("IX_Jobs_Lease")
            .HasFilter(JobSql.StateIn(JobTransitions.Rescue.From));

        b.HasIndex(j => j.UniqueKey)
            .HasDatabaseName("UX_Jobs_LiveUniqueKey")
            .IsUnique()
            .HasFilter($"\"UniqueKey\" IS NOT NULL AND {JobSql.StateIn(JobTransitions.Live)}");

        // Finished jobs only: the purge, the dashboard's failures and the throughput window read
        // them by state and time, and live jobs (no FinishedAt) are found through their own partial
        // indexes. With them in it, a claim moved each job's entry here too, and a completion did
        // again: two more index writes per job on the worker's writer thread, and on PostgreSQL a
        // path for the completion's planner into every running job (docs/queue.md).
        b.HasIndex(j => new { j.State, j.FinishedAt })
            .HasDatabaseName("IX_Jobs_StateFinished")
            .HasFilter("\"FinishedAt\" IS NOT NULL");

        // The dashboard's "waiting to retry": pending jobs with an error, soonest first. A seek on
        // the few rows that failed an attempt, not a walk of every pending job (a backlog).
        b.HasIndex(j => j.RunAt)
            .HasDatabaseName("IX_Jobs_Retrying")
            .HasFilter($"{JobSql.StateIn([JobTransitions.FailAndRetry.To])} AND \"LastError\" IS NOT NULL");
        b.HasIndex(j => j.FeedId);

        // A batch's progress is a seek. Partial, so that the many jobs outside a batch cost the
        // index nothing on insert. No foreign key: SQLite would rebuild the whole jobs table to
        // add one, and batches are never deleted.
        b.HasIndex(j => j.BatchId)
            .HasDatabaseName("IX_Jobs_Batch")
            .HasFilter("\"BatchId\" IS NOT NULL");
    }
}
