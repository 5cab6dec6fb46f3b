using System.ComponentModel.DataAnnotations;

namespace App.Data.Queue;

/// <summary>Settings under <c>Queue:</c>, shared by the web and worker processes.</summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    /// <summary>Worker's polling period when idle.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether an idle worker is woken by the kernel's notice that the database's WAL file was
    /// written (inotify), then confirms with <c>PRAGMA data_version</c> and claims.
    /// </summary>
    public bool WakeupOnFileChange { get; set; } = true;

    /// <summary>
    /// While notifications work, how often <c>PRAGMA data_version</c> is read anyway, in case one
    /// was lost; it also tells a file system that sends none.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan WakeupSafetyInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Without notifications (turned off, or a file system that sends none), how often an idle
    /// worker checks whether another process committed (a cheap <c>PRAGMA data_version</c>, no
    /// table read); zero leaves only the poll then.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WakeupInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Jobs one worker process runs at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// At most this many jobs a worker holds leased beyond <see cref="Concurrency"/>, claimed ahead
    /// so that a slot starts its next job the moment it frees. The worker claims ahead only as many
    /// as its slots finish during one write, so none for jobs that run long; their leases are
    /// renewed with the running ones, and they are handed back at shutdown.
    /// The cap matters only for jobs of well under a millisecond: there it sets how many jobs one
    /// write transaction completes and claims, and a transaction costs about as much as ten jobs
    /// (docs/queue.md, *Where the time goes*). A pass holds the write lock about 9 µs a job it
    /// carries, and carries about half the cap (the other half is running meanwhile): at 1,024,
    /// about 4.5 ms.
    /// </summary>
    [Range(0, MaxClaimAhead)]
    public int ClaimAhead { get; set; } = MaxClaimAhead;

    /// <summary>
    /// However contended the write lock, a worker holds no more than this many jobs of one type it
    /// has not started, and a pass completes no more than this many: it bounds how long one pass
    /// holds the write lock (about 9 ms at this size) while the web or another worker waits.
    /// </summary>
    public const int MaxClaimAhead = 1024;

    /// <summary>Attempts before a job is failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long a claim holds before another worker may rescue the job; renewed while running.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Backoff after the first failed attempt; doubles with each further one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest backoff.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>On shutdown, how long running jobs may go on before they are released.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a handler whose timeout fired may take to stop. Past it the runner records the
    /// timeout, stops renewing the job's lease and frees its slot, and the handler's late writes are
    /// refused by the lease (a handler stuck in work that ignores its token would otherwise hold
    /// both for ever).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan TimeoutGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a worker process records that it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long succeeded jobs are kept before they are purged.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan RetainSucceeded { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long failed and cancelled jobs are kept before they are purged.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan RetainFailed { get; set; } = TimeSpan.FromDays(30);
}
