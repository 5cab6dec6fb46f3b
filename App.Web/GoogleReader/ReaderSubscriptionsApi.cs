using System.Globalization;
using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Feeds;
using Microsoft.EntityFrameworkCore;

namespace App.Web.GoogleReader;

/// <summary>A subscription as <c>subscription/list</c> answers it.</summary>
public sealed record ReaderSubscription(
    string Id, string Title, IReadOnlyList<ReaderCategory> Categories, string Url, string HtmlUrl, string IconUrl, string SortId, string FirstItemMsec);

/// <summary>A folder (label) of a subscription.</summary>
public sealed record ReaderCategory(string Id, string Label, string Type = "folder");

/// <summary>A stream's unread count with the crawl time of its newest item.</summary>
public sealed record ReaderUnreadCount(string Id, int Count, string NewestItemTimestampUsec);

/// <summary>
/// <c>/reader/api/0/</c>: who is signed in (<c>token</c>, <c>user-info</c>), the subscriptions
/// (<c>subscription/list</c>, <c>subscription/edit</c>, <c>subscription/quickadd</c>), the tags
/// and the unread counts. Subscribing here goes through the same group commit as the web's add
/// form: one feed and one fetch whoever subscribes.
/// </summary>
public static class ReaderSubscriptionsApi
{
    public static RouteGroupBuilder MapReaderSubscriptions(this RouteGroupBuilder api)
    {
        api.MapGet("/token", (HttpContext http) => Results.Text(Token(http) + "\n", "text/plain; charset=utf-8"));
        api.MapGet("/user-info", (ClaimsPrincipal user) => Results.Json(new
        {
            userId = user.UserId().ToString(CultureInfo.InvariantCulture),
            userName = user.Identity!.Name,
            userProfileId = user.UserId().ToString(CultureInfo.InvariantCulture),
            userEmail = user.Identity!.Name,
        }));
        api.MapGet("/subscription/list", ListAsync);
        api.MapMethods("/subscription/edit", [HttpMethods.Post], EditAsync);
        api.MapMethods("/subscription/quickadd", [HttpMethods.Post], QuickAddAsync);
        // Folders come with the reader's folders; until then only the starred state is a tag.
        api.MapGet("/tag/list", () => Results.Json(new { tags = new[] { new { id = ReaderStream.StarredId } } }));
        api.MapGet("/unread-count", UnreadCountAsync);
        return api;
    }

    /// <summary>The action token (<c>T</c>) is the auth token itself: the API is signed in by a header a browser never sends on its own.</summary>
    private static string Token(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var at = header.IndexOf("auth=", StringComparison.OrdinalIgnoreCase);
        return at >= 0 ? header[(at + "auth=".Length)..].Trim() : "";
    }

    public static async Task<IResult> ListAsync(ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var feeds = await FeedQueries.AllAsync(db, user.UserId(), ct);
        var firstItems = await db.SubscriptionsOf(user.UserId())
            .Select(s => new { s.FeedId, First = db.FeedItems.Where(i => i.FeedId == s.FeedId).Min(i => (DateTime?)i.CreatedAt) })
            .ToDictionaryAsync(x => x.FeedId, x => x.First, ct);
        return Results.Json(new
        {
            subscriptions = feeds.Select(f => new ReaderSubscription(
                ReaderStream.OfFeed(f.Id),
                f.Title ?? f.Url,
                [],
                f.Url,
                f.SiteUrl ?? f.Url,
                f.IconUrl ?? "",
                f.Id.ToString("x8", CultureInfo.InvariantCulture),
                firstItems.GetValueOrDefault(f.Id) is { } first
                    ? ((long)(first - DateTime.UnixEpoch).TotalMilliseconds).ToString(CultureInfo.InvariantCulture)
                    : "0")),
        });
    }

    /// <summary>
    /// <c>ac=subscribe</c> with <c>s=feed/{address}</c> (and <c>t</c>, a name of one's own);
    /// <c>ac=unsubscribe</c> with one or more <c>s=feed/{id}</c>; <c>ac=edit</c> with <c>t</c> to
    /// rename. Labels (<c>a</c>, <c>r</c>) are accepted and ignored until the reader has folders.
    /// </summary>
    public static async Task<IResult> EditAsync(
        HttpContext http, ClaimsPrincipal user, FeedSubscriber subscriber, WriteLane lane,
        IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        var streams = p.All("s").Select(ReaderStream.Parse).ToList();
        var userId = user.UserId();
        var title = p["t"] is { Length: > 0 } t ? Truncate(t.Trim()) : null;
        switch (p["ac"])
        {
            case "subscribe":
                if (streams.FirstOrDefault() is not { Kind: ReaderStreamKind.Feed } stream
                    || !FeedUrl.TryNormalize(stream.FeedUrl ?? "", out var url, out _))
                {
                    return BadRequest("s must be feed/ followed by an absolute http or https address.");
                }
                var subscription = await subscriber.SubscribeAsync(userId, url, ct);
                if (title is not null)
                {
                    await using var db = await contexts.CreateDbContextAsync(ct);
                    await FeedRename.RenameAsync(db, userId, subscription.FeedId, title, ct);
                }
                return Ok();
            case "unsubscribe":
                if (streams.Count == 0 || streams.Any(s => s.FeedId is null))
                {
                    return BadRequest("s must be feed/ followed by a feed id.");
                }
                foreach (var s in streams)
                {
                    await lane.InWriteTransactionAsync(c => SubscriptionWrites.Unsubscribe(c, userId, s.FeedId!.Value), ct);
                }
                return Ok();
            case "edit":
                if (streams.FirstOrDefault() is not { FeedId: { } feedId })
                {
                    return BadRequest("s must be feed/ followed by a feed id.");
                }
                if (title is not null)
                {
                    await using var db = await contexts.CreateDbContextAsync(ct);
                    if (!await FeedRename.RenameAsync(db, userId, feedId, title, ct))
                    {
                        return Results.Text("Not found", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
                    }
                }
                return Ok();
            default:
                return BadRequest("ac must be subscribe, unsubscribe or edit.");
        }
    }

    /// <summary><c>quickadd</c>: an address to subscribe to, answered with the feed's stream.</summary>
    public static async Task<IResult> QuickAddAsync(
        HttpContext http, ClaimsPrincipal user, FeedSubscriber subscriber, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        var address = p["quickadd"] ?? "";
        if (address.StartsWith("feed/", StringComparison.Ordinal))
        {
            address = address["feed/".Length..];
        }
        if (!FeedUrl.TryNormalize(address, out var url, out var error))
        {
            return Results.Json(new { numResults = 0, query = address, error });
        }
        var subscription = await subscriber.SubscribeAsync(user.UserId(), url, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var feed = await FeedQueries.FindAsync(db, user.UserId(), subscription.FeedId, ct);
        return Results.Json(new
        {
            numResults = 1,
            query = address,
            streamId = ReaderStream.OfFeed(subscription.FeedId),
            streamName = feed?.Title ?? url,
        });
    }

    public static async Task<IResult> UnreadCountAsync(ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var userId = user.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var perFeed = await db.UnreadOf(userId)
            .GroupBy(u => u.FeedId)
            .Select(g => new { FeedId = g.Key, Count = g.Count(), Newest = g.Max(u => u.ItemId) })
            .ToListAsync(ct);
        var newestIds = perFeed.Select(f => f.Newest).ToList();
        var crawled = await db.FeedItems.Where(i => newestIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.CreatedAt, ct);
        string Usec(long itemId) => crawled.TryGetValue(itemId, out var at)
            ? ((at - DateTime.UnixEpoch).Ticks / 10).ToString(CultureInfo.InvariantCulture)
            : "0";
        var counts = perFeed.Select(f => new ReaderUnreadCount(ReaderStream.OfFeed(f.FeedId), f.Count, Usec(f.Newest))).ToList();
        var total = perFeed.Sum(f => f.Count);
        counts.Add(new ReaderUnreadCount(ReaderStream.ReadingListId, total, perFeed.Count == 0 ? "0" : Usec(perFeed.Max(f => f.Newest))));
        return Results.Json(new { max = total, unreadcounts = counts });
    }

    internal static IResult Ok() => Results.Text("OK", "text/plain; charset=utf-8");

    internal static IResult BadRequest(string why) => Results.Text(why, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static string Truncate(string title) => title.Length > FeedRename.MaxTitleLength ? title[..FeedRename.MaxTitleLength] : title;
}
