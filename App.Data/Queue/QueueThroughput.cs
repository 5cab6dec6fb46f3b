using Microsoft.EntityFrameworkCore;

namespace App.Data.Queue;

/// <summary>Jobs finished per minute over a recent window, for the dashboard's chart.</summary>
public sealed record QueueThroughput(DateTime From, IReadOnlyList<ThroughputMinute> Minutes)
{
    public int Succeeded => Minutes.Sum(m => m.Succeeded);

    public int Failed => Minutes.Sum(m => m.Failed);

    /// <summary>
    /// One entry per minute of the last <paramref name="minutes"/> minutes up to <paramref name="now"/>,
    /// oldest first, zeros included. Counted in SQL over the (State, FinishedAt) index.
    /// </summary>
    public static async Task<QueueThroughput> ReadAsync(AppDbContext db, DateTime now, int minutes, CancellationToken ct)
    {
        var end = TruncateToMinute(now).AddMinutes(1);
        var from = end.AddMinutes(-minutes);
        var counts = await CountsSince(db, from).ToListAsync(ct);
        var buckets = Enumerable.Range(0, minutes).Select(i => from.AddMinutes(i)).ToList();
        int CountAt(DateTime minute, JobState state) => counts
            .Where(c => c.State == state && c.Day == minute.Day && c.Hour == minute.Hour && c.Minute == minute.Minute)
            .Sum(c => c.Count);
        return new QueueThroughput(from, [.. buckets.Select(m =>
            new ThroughputMinute(m, CountAt(m, JobState.Succeeded), CountAt(m, JobState.Failed)))]);
    }

    /// <summary>
    /// Succeeded and failed jobs per minute since <paramref name="from"/>: two seeks on
    /// IX_Jobs_StateFinished that read only the window's rows, whatever the table holds.
    /// </summary>
    public static IQueryable<MinuteCount> CountsSince(AppDbContext db, DateTime from) =>
        db.Jobs
            .Where(j => (j.State == JobState.Succeeded || j.State == JobState.Failed) && j.FinishedAt >= from)
            .GroupBy(j => new { j.State, j.FinishedAt!.Value.Day, j.FinishedAt.Value.Hour, j.FinishedAt.Value.Minute })
            .Select(g => new MinuteCount(g.Key.State, g.Key.Day, g.Key.Hour, g.Key.Minute, g.Count()));

    /// <summary>Jobs that reached <paramref name="State"/> in one minute of an hour of a day.</summary>
    public sealed record MinuteCount(JobState State, int Day, int Hour, int Minute, int Count);

    private static DateTime TruncateToMinute(DateTime t) =>
        new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc);
}

public sealed record ThroughputMinute(DateTime Start, int Succeeded, int Failed)
{
    public int Total => Succeeded + Failed;
}
