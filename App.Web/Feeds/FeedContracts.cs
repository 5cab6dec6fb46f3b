namespace App.Web.Feeds;

/// <summary>Body of <c>POST /api/feeds</c>.</summary>
public sealed record AddFeedRequest(string? Url);

/// <summary>Body of <c>PATCH /api/feeds/{id}</c>: the caller's own name for the feed; null or empty goes back to the feed's title.</summary>
public sealed record RenameFeedRequest(string? Title);

/// <summary>A feed and the job fetching it: answer to adding or refreshing a feed.</summary>
public sealed record FeedJobResponse(long FeedId, long? JobId);

/// <summary>
/// A feed without its items, as one user sees it (their name for it, their unread count). Beyond the contract's fields: when the background scheduler tries it
/// next, how many fetches failed in a row (a failing feed backs off), how many items are unread, the caller's folder for it, and what the last fetch left out (fetchNote).
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
    string? FetchNote = null);

/// <summary>One item of a feed; <see cref="ContentHtml"/> was sanitized by the worker when stored.</summary>
public sealed record FeedItemResponse(
    long Id,
    string? Guid,
    string? Title,
    string? Link,
    string? Author,
    DateTime? PublishedAt,
    string? ContentHtml);
