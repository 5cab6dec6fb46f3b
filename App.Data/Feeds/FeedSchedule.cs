namespace App.Data.Feeds;

/// <summary>
/// When a feed is refreshed next: a healthy feed every refresh interval; a failing one backs off,
/// doubling with each failed fetch up to <see cref="MaxBackoff"/>, and never earlier than the
/// server asked (Retry-After).
/// </summary>
public static class FeedSchedule
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(24);

    /// <summary>Records a successful fetch.</summary>
    public static void Succeeded(Feed feed, DateTime now, TimeSpan interval)
    {
        feed.ConsecutiveFailures = 0;
        feed.NextRefreshAt = now + interval;
    }

    /// <summary>Records a fetch that failed for good (its job gave up).</summary>
    public static void Failed(Feed feed, DateTime now, TimeSpan interval, DateTime? retryAfter)
    {
        feed.ConsecutiveFailures++;
        var next = now + Backoff(interval, feed.ConsecutiveFailures);
        feed.NextRefreshAt = retryAfter > next ? retryAfter : next;
    }

    /// <summary>
    /// Records a change of the feed's interval: a healthy feed's next refresh becomes its last fetch
    /// plus the new interval (so a shorter one can make it due at once, a longer one puts it off). A
    /// failing feed keeps its backoff, and one never fetched stays due; their next success applies it.
    /// </summary>
    public static void IntervalChanged(Feed feed, TimeSpan interval)
    {
        if (feed.ConsecutiveFailures == 0 && feed.LastFetchedAt is { } last)
        {
            feed.NextRefreshAt = last + interval;
        }
    }

    /// <summary><paramref name="interval"/> · 2^<paramref name="failures"/>, capped at <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan Backoff(TimeSpan interval, int failures)
    {
        // An interval longer than the cap is never shortened by failing.
        var cap = interval > MaxBackoff ? interval : MaxBackoff;
        var ticks = interval.Ticks * Math.Pow(2, Math.Clamp(failures, 0, 30));
        return ticks >= cap.Ticks ? cap : TimeSpan.FromTicks((long)ticks);
    }
}
