namespace App.Data.Feeds;

/// <summary>
/// How a feed is fetched, as its subscribers may set it: a refresh interval of its own within
/// bounds, a User-Agent of its own, and whether the scheduler refreshes it at all. One feed is
/// fetched once for all its subscribers, so these belong to the feed, not to a subscription
/// (a user's own name for a feed is the subscription's <c>Title</c>).
/// </summary>
public static class FeedSettings
{
    /// <summary>The default of <c>Feeds:RefreshInterval</c>.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest interval a feed may ask for: a feed is fetched for everyone on the install, and
    /// a site polled more often than this is rarely better served.
    /// </summary>
    public const int MinRefreshMinutes = 15;

    /// <summary>The longest: a day, as the failure backoff's cap, so no feed is left unchecked for longer.</summary>
    public const int MaxRefreshMinutes = 24 * 60;

    public const int MaxUserAgentLength = 500;

    /// <summary>Why <paramref name="minutes"/> cannot be a feed's interval; null when it can (null: the default).</summary>
    public static string? RefreshMinutesError(int? minutes) =>
        minutes is { } m && m is < MinRefreshMinutes or > MaxRefreshMinutes
            ? $"The refresh interval is between {MinRefreshMinutes} minutes and {MaxRefreshMinutes / 60} hours ({MinRefreshMinutes}–{MaxRefreshMinutes} minutes), not {m} minutes."
            : null;

    /// <summary>The user agent as stored: trimmed, and null when empty (the reader's own then).</summary>
    public static string? NormalizeUserAgent(string? userAgent) =>
        string.IsNullOrWhiteSpace(userAgent) ? null : userAgent.Trim();

    /// <summary>
    /// Why <paramref name="userAgent"/> (normalized) cannot be sent; null when it can. A header value
    /// is kept to printable ASCII: a line break would end the header, and other bytes are read
    /// differently by different servers.
    /// </summary>
    public static string? UserAgentError(string? userAgent) =>
        userAgent switch
        {
            null => null,
            { Length: > MaxUserAgentLength } => $"A user agent has at most {MaxUserAgentLength} characters.",
            _ when userAgent.Any(c => c is < ' ' or > '~') =>
                "A user agent is plain text: letters, digits, spaces and punctuation (printable ASCII), on one line.",
            _ => null,
        };

    /// <summary>The interval the scheduler refreshes <paramref name="feed"/> at: its own, else <paramref name="defaultInterval"/>.</summary>
    public static TimeSpan RefreshIntervalOf(Feed feed, TimeSpan defaultInterval) =>
        feed.RefreshIntervalMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : defaultInterval;
}
