using System.Text.Json.Serialization;

namespace App.Web.Feeds;

/// <summary>Body of <c>POST /api/feeds</c>.</summary>
public sealed record AddFeedRequest(string? Url);

/// <summary>
/// Body of <c>PATCH /api/feeds/{id}</c>: only the fields present change. <see cref="Title"/> is the
/// caller's own name for the feed (null or empty: the feed's title again); the others are how the
/// feed is fetched, for everyone who follows it (<see cref="FeedSettingsEdits"/> says who may
/// change them): <see cref="RefreshIntervalMinutes"/> (null: <c>Feeds:RefreshInterval</c>),
/// <see cref="UserAgent"/> (null or empty: the reader's own), <see cref="Disabled"/>.
/// </summary>
public sealed class UpdateFeedRequest
{
    // Each setter notes that its field was sent: JSON calls a setter only for a property present in
    // the body, so an absent field is told from an explicit null (which clears it).
    private string? _title;
    private int? _refreshIntervalMinutes;
    private string? _userAgent;
    private bool? _disabled;

    public string? Title { get => _title; set => (_title, SetsTitle) = (value, true); }

    public int? RefreshIntervalMinutes { get => _refreshIntervalMinutes; set => (_refreshIntervalMinutes, SetsRefreshInterval) = (value, true); }

    public string? UserAgent { get => _userAgent; set => (_userAgent, SetsUserAgent) = (value, true); }

    public bool? Disabled { get => _disabled; set => (_disabled, SetsDisabled) = (value, true); }

    [JsonIgnore]
    public bool SetsTitle { get; private set; }

    [JsonIgnore]
    public bool SetsRefreshInterval { get; private set; }

    [JsonIgnore]
    public bool SetsUserAgent { get; private set; }

    [JsonIgnore]
    public bool SetsDisabled { get; private set; }

    /// <summary>Whether the request changes how the feed is fetched (not only the caller's name for it).</summary>
    [JsonIgnore]
    public bool SetsFetch => SetsRefreshInterval || SetsUserAgent || SetsDisabled;
}

/// <summary>A feed and the job fetching it: answer to adding or refreshing a feed.</summary>
public sealed record FeedJobResponse(long FeedId, long? JobId);

/// <summary>
/// A feed without its items, as one user sees it (their name for it, their unread count). Beyond the contract's fields: when the background scheduler tries it
/// next, how many fetches failed in a row (a failing feed backs off), how many items are unread, the caller's folder for it, what the last fetch left out (fetchNote), and the feed's fetch settings
/// (its own refresh interval in minutes or null, its own user agent or null, whether the scheduler leaves it alone).
/// </summary>
public sealed record FeedResponse(
    long Id,
    string Url,
    string? Title,
    string? SiteUrl,
    DateTime? LastFetchedAt,
    string? LastError,
    int ItemCount,
    DateTime? NextRefreshAt,
    int ConsecutiveFailures,
    int UnreadCount,
    string? IconUrl,
    long? FolderId = null,
    string? FetchNote = null,
    int? RefreshIntervalMinutes = null,
    string? UserAgent = null,
    bool Disabled = false);

/// <summary>One item of a feed; <see cref="ContentHtml"/> was sanitized by the worker when stored.</summary>
public sealed record FeedItemResponse(
    long Id,
    string? Guid,
    string? Title,
    string? Link,
    string? Author,
    DateTime? PublishedAt,
    string? ContentHtml);
