using System.Diagnostics;
using Npgsql;

namespace App.Data.Queue;

/// <summary>
/// Tells idle workers on PostgreSQL that jobs became due: <c>NOTIFY</c> on <see cref="Channel"/>,
/// sent in the transaction that enqueued them, so that it arrives when their rows are visible.
/// A NOTIFY takes a lock shared by the whole server at commit, which would serialize a burst of
/// small enqueuing transactions: a process notifies in at most one transaction per
/// <see cref="Gap"/>, and the enqueues it skipped meanwhile are announced by one NOTIFY of its own
/// right after the gap. The worker's listener (App.Worker's PostgresWakeup) reads the channel.
/// </summary>
public sealed class JobNotifications(NpgsqlDataSource dataSource)
{
    /// <summary>The channel idle workers LISTEN on.</summary>
    public const string Channel = "app_jobs";

    /// <summary>The statement that notifies.</summary>
    public const string Notify = $"NOTIFY {Channel}";

    /// <summary>The least time between two notifying transactions of this process.</summary>
    public static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(2);

    private static readonly long GapTicks = (long)(Gap.TotalSeconds * Stopwatch.Frequency);

    private long _lastNotified = Stopwatch.GetTimestamp() - GapTicks;
    private int _trailing;

    /// <summary>
    /// Whether the caller's enqueuing transaction should run <see cref="Notify"/>; when it should
    /// not (another notified within the gap), a NOTIFY of its own follows after the gap.
    /// </summary>
    public bool TakeTurn()
    {
        var now = Stopwatch.GetTimestamp();
        var last = Volatile.Read(ref _lastNotified);
        if (now - last >= GapTicks && Interlocked.CompareExchange(ref _lastNotified, now, last) == last)
        {
            return true;
        }
        if (Interlocked.Exchange(ref _trailing, 1) == 0)
        {
            _ = NotifyAfterGapAsync();
        }
        return false;
    }

    private async Task NotifyAfterGapAsync()
    {
        try
        {
            await Task.Delay(Gap);
            Volatile.Write(ref _trailing, 0);
            Volatile.Write(ref _lastNotified, Stopwatch.GetTimestamp());
            await using var command = dataSource.CreateCommand(Notify);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or ObjectDisposedException)
        {
            // The workers' safety poll finds the jobs within a second.
            Volatile.Write(ref _trailing, 0);
        }
    }
}
