using System.Globalization;
using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Feeds;
using App.Web.Folders;
using Microsoft.EntityFrameworkCore;

namespace App.Web.GoogleReader;

/// <summary>A subscription as <c>subscription/list</c> answers it.</summary>
public sealed record ReaderSubscription(
    string Id, string Title, IReadOnlyList<ReaderCategory> Categories, string Url, string HtmlUrl, string IconUrl, string SortId, string FirstItemMsec);

/// <summary>A folder (label) of a subscription.</summary>
public sealed record ReaderCategory(string Id, string Label, string Type = "folder");

/// <summary>An entry of <c>tag/list</c>: the starred state, or a folder's label.</summary>
public sealed record ReaderTag(string Id, string? Type);

/// <summary>A stream's unread count with the crawl time of its newest item.</summary>
public sealed record ReaderUnreadCount(string Id, int Count, string NewestItemTimestampUsec);

/// <summary>
/// <c>/reader/api/0/</c>: who is signed in (<c>token</c>, <c>user-info</c>), the subscriptions
/// (<c>subscription/list</c>, <c>subscription/edit</c>, <c>subscription/quickadd</c>), the tags (folders as labels)
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
        api.MapGet("/tag/list", TagsAsync);
        api.MapMethods("/rename-tag", [HttpMethods.Post], RenameTagAsync);
        api.MapMethods("/disable-tag", [HttpMethods.Post], DisableTagAsync);
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
        var folders = await db.FoldersOf(user.UserId()).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        var firstItems = await db.SubscriptionsOf(user.UserId())
            .Select(s => new { s.FeedId, First = db.FeedItems.Where(i => i.FeedId == s.FeedId).Min(i => (DateTime?)i.CreatedAt) })
            .ToDictionaryAsync(x => x.FeedId, x => x.First, ct);
        return Results.Json(new
        {
            subscriptions = feeds.Select(f => new ReaderSubscription(
                ReaderStream.OfFeed(f.Id),
                f.Title ?? f.Url,
                f.FolderId is { } folderId && folders.TryGetValue(folderId, out var folder)
                    ? [new ReaderCategory(ReaderStream.OfLabel(folder), folder)]
                    : [],
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
    /// rename. With subscribe and edit, <c>a=user/-/label/{name}</c> puts the feed in that folder
    /// (made when missing) and <c>r=user/-/label/{name}</c> takes it out of that folder.
    /// </summary>
    public static async Task<IResult> EditAsync(
        HttpContext http, ClaimsPrincipal user, FeedSubscriber subscriber, WriteLane lane, FolderEdits folders,
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
                await LabelAsync(p, folders, contexts, userId, subscription.FeedId, ct);
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
                if (!await LabelAsync(p, folders, contexts, userId, feedId, ct))
                {
                    return Results.Text("Not found", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
                }
                return Ok();
            default:
                return BadRequest("ac must be subscribe, unsubscribe or edit.");
        }
    }

    // r=label takes the feed out of that folder (if it is there), a=label puts it in one: a move
    // between folders sends both. False when the user does not subscribe to the feed.
    private static async Task<bool> LabelAsync(
        ReaderParameters p, FolderEdits folders, IDbContextFactory<AppDbContext> contexts, long userId, long feedId, CancellationToken ct)
    {
        var removed = p.All("r").Select(ReaderStream.Parse).Where(s => s.Kind == ReaderStreamKind.Label).ToList();
        var added = p.All("a").Select(ReaderStream.Parse).Where(s => s.Kind == ReaderStreamKind.Label)
            .Select(s => FolderEdits.Normalize(s.Label, out _)).LastOrDefault(n => n is not null);
        if (added is not null)
        {
            return await folders.MoveToNamedAsync(userId, feedId, added, ct);
        }
        if (removed.Count > 0)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var names = removed.Select(r => r.Label!).ToList();
            var current = await db.SubscriptionsOf(userId).Where(s => s.FeedId == feedId)
                .Select(s => db.Folders.Where(f => f.Id == s.FolderId).Select(f => f.Name).FirstOrDefault())
                .FirstOrDefaultAsync(ct);
            if (current is not null && names.Contains(current, StringComparer.OrdinalIgnoreCase))
            {
                return await folders.MoveAsync(userId, feedId, null, ct);
            }
        }
        return true;
    }

    /// <summary><c>tag/list</c>: the starred state and the user's folders, as labels.</summary>
    public static async Task<IResult> TagsAsync(ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var folders = await db.FoldersOf(user.UserId()).OrderBy(f => f.Name).Select(f => f.Name).ToListAsync(ct);
        return Results.Json(new
        {
            tags = new[] { new ReaderTag(ReaderStream.StarredId, null) }
                .Concat(folders.Select(f => new ReaderTag(ReaderStream.OfLabel(f), "folder"))),
        });
    }

    /// <summary><c>rename-tag</c>: <c>s</c> (or <c>t</c>) the folder's label, <c>dest</c> its new label.</summary>
    public static async Task<IResult> RenameTagAsync(
        HttpContext http, ClaimsPrincipal user, FolderEdits folders, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        if (await FolderOfAsync(p, contexts, user.UserId(), ct) is not { } folderId)
        {
            return BadRequest("s must be the label of one of your folders.");
        }
        if (ReaderStream.Parse(p["dest"]) is not { Kind: ReaderStreamKind.Label, Label: var label } || FolderEdits.Normalize(label, out var error) is not { } name)
        {
            return BadRequest("dest must be user/-/label/ followed by the new name.");
        }
        return await folders.RenameAsync(user.UserId(), folderId, name, ct) == FolderEditOutcome.Done
            ? Ok()
            : BadRequest("You have a folder of that name already.");
    }

    /// <summary><c>disable-tag</c>: deletes the folder <c>s</c> (or <c>t</c>); its feeds stay, in no folder.</summary>
    public static async Task<IResult> DisableTagAsync(
        HttpContext http, ClaimsPrincipal user, FolderEdits folders, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        if (await FolderOfAsync(p, contexts, user.UserId(), ct) is not { } folderId)
        {
            return BadRequest("s must be the label of one of your folders.");
        }
        await folders.DeleteAsync(user.UserId(), folderId, ct);
        return Ok();
    }

    private static async Task<long?> FolderOfAsync(ReaderParameters p, IDbContextFactory<AppDbContext> contexts, long userId, CancellationToken ct)
    {
        var stream = ReaderStream.Parse(p["s"] ?? (p["t"] is { } t ? ReaderStream.OfLabel(t) : null));
        if (stream is not { Kind: ReaderStreamKind.Label, Label: { } label })
        {
            return null;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.FoldersOf(userId).Where(f => f.Name == label).Select(f => (long?)f.Id).FirstOrDefaultAsync(ct);
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
        var folderOf = await db.SubscriptionsOf(userId).Where(s => s.FolderId != null)
            .Select(s => new { s.FeedId, Name = db.Folders.Where(f => f.Id == s.FolderId).Select(f => f.Name).First() })
            .ToDictionaryAsync(x => x.FeedId, x => x.Name, ct);
        counts.AddRange(perFeed.Where(f => folderOf.ContainsKey(f.FeedId)).GroupBy(f => folderOf[f.FeedId])
            .Select(g => new ReaderUnreadCount(ReaderStream.OfLabel(g.Key), g.Sum(f => f.Count), Usec(g.Max(f => f.Newest)))));
        var total = perFeed.Sum(f => f.Count);
        counts.Add(new ReaderUnreadCount(ReaderStream.ReadingListId, total, perFeed.Count == 0 ? "0" : Usec(perFeed.Max(f => f.Newest))));
        return Results.Json(new { max = total, unreadcounts = counts });
    }

    internal static IResult Ok() => Results.Text("OK", "text/plain; charset=utf-8");

    internal static IResult BadRequest(string why) => Results.Text(why, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static string Truncate(string title) => title.Length > FeedRename.MaxTitleLength ? title[..FeedRename.MaxTitleLength] : title;
}
