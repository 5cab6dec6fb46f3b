using System.Globalization;

namespace App.Web.GoogleReader;

/// <summary>What a Google Reader stream id names.</summary>
public enum ReaderStreamKind
{
    /// <summary>Not a stream this server knows.</summary>
    Unknown,

    /// <summary><c>user/-/state/com.google/reading-list</c>: every item of the user's feeds.</summary>
    ReadingList,

    /// <summary><c>…/state/com.google/read</c>.</summary>
    Read,

    /// <summary><c>…/state/com.google/kept-unread</c> (and <c>fresh</c>, <c>tracking-kept-unread</c>): unread.</summary>
    KeptUnread,

    /// <summary><c>…/state/com.google/starred</c>.</summary>
    Starred,

    /// <summary><c>…/state/com.google/broadcast</c>, <c>like</c> and other states this server accepts and ignores.</summary>
    IgnoredState,

    /// <summary><c>user/-/label/{name}</c>: a folder.</summary>
    Label,

    /// <summary><c>feed/{id}</c>, or <c>feed/{address}</c> when subscribing.</summary>
    Feed,
}

/// <summary>
/// A parsed stream id. Clients write the user's part as <c>user/-/</c> or <c>user/{id}/</c>; feeds
/// are <c>feed/{id}</c> in everything this server sends, and <c>feed/{address}</c> when a client
/// subscribes (as FreshRSS and Miniflux accept).
/// </summary>
public sealed record ReaderStream(ReaderStreamKind Kind, long? FeedId = null, string? FeedUrl = null, string? Label = null)
{
    public const string ReadingListId = "user/-/state/com.google/reading-list";
    public const string ReadId = "user/-/state/com.google/read";
    public const string StarredId = "user/-/state/com.google/starred";
    public const string FreshId = "user/-/state/com.google/fresh";
    public const string KeptUnreadId = "user/-/state/com.google/kept-unread";

    /// <summary>The stream id of a folder, a label in Google Reader's terms.</summary>
    public static string OfLabel(string name) => "user/-/label/" + name;

    public static string OfFeed(long feedId) => "feed/" + feedId.ToString(CultureInfo.InvariantCulture);

    public static ReaderStream Parse(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return new ReaderStream(ReaderStreamKind.Unknown);
        }
        if (id.StartsWith("feed/", StringComparison.Ordinal))
        {
            var rest = id["feed/".Length..];
            return long.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var feedId)
                ? new ReaderStream(ReaderStreamKind.Feed, FeedId: feedId)
                : new ReaderStream(ReaderStreamKind.Feed, FeedUrl: rest);
        }
        if (!id.StartsWith("user/", StringComparison.Ordinal))
        {
            return new ReaderStream(ReaderStreamKind.Unknown);
        }
        // user/-/… or user/{id}/…: the part after the user's.
        var slash = id.IndexOf('/', "user/".Length);
        var path = slash < 0 ? "" : id[(slash + 1)..];
        if (path.StartsWith("label/", StringComparison.Ordinal))
        {
            return new ReaderStream(ReaderStreamKind.Label, Label: path["label/".Length..]);
        }
        return path switch
        {
            "state/com.google/reading-list" => new ReaderStream(ReaderStreamKind.ReadingList),
            "state/com.google/read" => new ReaderStream(ReaderStreamKind.Read),
            "state/com.google/kept-unread" or "state/com.google/fresh" or "state/com.google/tracking-kept-unread"
                => new ReaderStream(ReaderStreamKind.KeptUnread),
            "state/com.google/starred" => new ReaderStream(ReaderStreamKind.Starred),
            _ when path.StartsWith("state/com.google/", StringComparison.Ordinal) => new ReaderStream(ReaderStreamKind.IgnoredState),
            _ => new ReaderStream(ReaderStreamKind.Unknown),
        };
    }

    /// <summary>
    /// A stream id from a route: ASP.NET Core decodes a path except its <c>%2F</c>, so the
    /// percent-encoded form clients send (<c>feed%2F1</c>, as newsboat does) needs that one step more.
    /// </summary>
    public static string FromPath(string path) =>
        path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
