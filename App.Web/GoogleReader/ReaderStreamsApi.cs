using System.Globalization;
using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace App.Web.GoogleReader;

/// <summary>
/// <c>/reader/api/0/</c>: the items of a stream (<c>stream/contents/{stream}</c>, the ids alone
/// with <c>stream/items/ids</c>, chosen items with <c>stream/items/contents</c>), and the user's
/// marks on them (<c>edit-tag</c>, <c>mark-all-as-read</c>).
/// </summary>
public static class ReaderStreamsApi
{
    /// <summary>Items a contents page holds at most (bodies are large); id lists go to <see cref="MaxIds"/>.</summary>
    public const int MaxContents = 1_000;

    public const int MaxIds = 10_000;

    public static RouteGroupBuilder MapReaderStreams(this RouteGroupBuilder api)
    {
        api.MapGet("/stream/contents/{**stream}", ContentsAsync);
        api.MapGet("/stream/contents", ContentsAsync);
        api.MapGet("/stream/items/ids", IdsAsync);
        api.MapMethods("/stream/items/contents", [HttpMethods.Get, HttpMethods.Post], ItemsContentsAsync);
        api.MapMethods("/edit-tag", [HttpMethods.Post], EditTagAsync);
        api.MapMethods("/mark-all-as-read", [HttpMethods.Post], MarkAllAsReadAsync);
        return api;
    }

    /// <summary>A page of a stream's items; the stream is the path after <c>contents/</c> (percent-encoded or not), else <c>s</c>.</summary>
    public static async Task<IResult> ContentsAsync(
        HttpContext http, ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct, string? stream = null)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        var streamId = stream is { Length: > 0 } ? ReaderStream.FromPath(stream) : p["s"] ?? ReaderStream.ReadingListId;
        var query = ReaderQuery.From(ReaderStream.Parse(streamId), p, defaultCount: 20, maxCount: MaxContents);
        var userId = user.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ids = await query.Page(db, userId).Select(i => i.Id).ToListAsync(ct);
        var rows = await ReaderItems.LoadAsync(db, userId, ids.Take(query.Count).ToList(), ct);
        return Results.Json(new ReaderStreamContents(
            streamId,
            await TitleAsync(db, userId, query.Stream, ct),
            user.Identity!.Name!,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            "ltr",
            [new ReaderLink($"{http.Request.Scheme}://{http.Request.Host}{http.Request.Path}")],
            [.. rows.Select(r => r.ToJson())],
            query.NextContinuation(ids)));
    }

    /// <summary>The ids of a stream's items (decimal), newest first unless <c>r=o</c>.</summary>
    public static async Task<IResult> IdsAsync(HttpContext http, ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        var query = ReaderQuery.From(ReaderStream.Parse(p["s"] ?? ReaderStream.ReadingListId), p, defaultCount: 20, maxCount: MaxIds);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var page = await query.Page(db, user.UserId())
            .Select(i => new { i.Id, i.FeedId, i.CreatedAt })
            .ToListAsync(ct);
        var refs = page.Take(query.Count).Select(i => new ReaderItemRef(
            ReaderItemIds.Decimal(i.Id),
            [ReaderStream.OfFeed(i.FeedId)],
            ((i.CreatedAt - DateTime.UnixEpoch).Ticks / 10).ToString(CultureInfo.InvariantCulture)));
        return Results.Json(new ReaderItemRefs([.. refs], query.NextContinuation([.. page.Select(i => i.Id)])));
    }

    /// <summary>The items named by <c>i</c> (any id form), as contents; ids of items not the user's are left out.</summary>
    public static async Task<IResult> ItemsContentsAsync(
        HttpContext http, ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        if (ItemIds(p) is not { } ids)
        {
            return ReaderSubscriptionsApi.BadRequest("i must be item ids (decimal, 16-digit hexadecimal or tag:google.com,2005:reader/item/…).");
        }
        var userId = user.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var ordered = p["r"] == "o" ? ids.Distinct().Order().ToList() : ids.Distinct().OrderDescending().ToList();
        var rows = await ReaderItems.LoadAsync(db, userId, ordered.Take(MaxContents).ToList(), ct);
        return Results.Json(new ReaderStreamContents(
            ReaderStream.ReadingListId, "Reading list", user.Identity!.Name!, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "ltr",
            [new ReaderLink($"{http.Request.Scheme}://{http.Request.Host}{http.Request.Path}")],
            [.. rows.Select(r => r.ToJson())],
            null));
    }

    /// <summary>
    /// Adds (<c>a</c>) or removes (<c>r</c>) the read, kept-unread and starred states of the items
    /// <c>i</c>. Other states (broadcast, like, labels) are accepted and ignored.
    /// </summary>
    public static async Task<IResult> EditTagAsync(HttpContext http, ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, TimeProvider time, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        if (ItemIds(p) is not { } ids)
        {
            return ReaderSubscriptionsApi.BadRequest("i must be item ids (decimal, 16-digit hexadecimal or tag:google.com,2005:reader/item/…).");
        }
        var add = p.All("a").Select(ReaderStream.Parse).ToList();
        var remove = p.All("r").Select(ReaderStream.Parse).ToList();
        bool? read = null, starred = null;
        foreach (var (streams, adding) in new[] { (add, true), (remove, false) })
        {
            foreach (var s in streams)
            {
                switch (s.Kind)
                {
                    case ReaderStreamKind.Read:
                        read = Decide(read, adding);
                        break;
                    case ReaderStreamKind.KeptUnread:
                        read = Decide(read, !adding);
                        break;
                    case ReaderStreamKind.Starred:
                        starred = Decide(starred, adding);
                        break;
                }
            }
        }
        if (read is null && starred is null && (add.Concat(remove).Any(s => s.Kind == ReaderStreamKind.Unknown)))
        {
            return ReaderSubscriptionsApi.BadRequest("a and r must be states such as user/-/state/com.google/read.");
        }
        var userId = user.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (read is { } r)
        {
            await ItemMarks.SetReadAsync(db, userId, ids, r, ct);
        }
        if (starred is { } st)
        {
            await ItemMarks.SetStarredAsync(db, userId, ids, st, time.GetUtcNow().UtcDateTime, ct);
        }
        return ReaderSubscriptionsApi.Ok();
    }

    /// <summary>
    /// Marks the stream <c>s</c> read (a feed, a folder, or the reading list), up to the crawl time <c>ts</c>
    /// when given (microseconds when it has 16 digits or more, else seconds): items that arrived
    /// after the client looked stay unread.
    /// </summary>
    public static async Task<IResult> MarkAllAsReadAsync(HttpContext http, ClaimsPrincipal user, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        var stream = ReaderStream.Parse(p["s"]);
        DateTime? upTo = p.Long("ts") is { } ts and > 0
            ? DateTime.UnixEpoch.AddTicks(Math.Min(p["ts"]!.Length >= 16 ? ts * 10 : ts * TimeSpan.TicksPerSecond, DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks))
            : null;
        var userId = user.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        switch (stream.Kind)
        {
            case ReaderStreamKind.Feed when stream.FeedId is { } feedId:
                await ItemMarks.MarkAllReadAsync(db, userId, feedId, upToItem: null, upTo, ct);
                return ReaderSubscriptionsApi.Ok();
            case ReaderStreamKind.ReadingList:
                await ItemMarks.MarkAllReadAsync(db, userId, feedId: null, upToItem: null, upTo, ct);
                return ReaderSubscriptionsApi.Ok();
            case ReaderStreamKind.Label when stream.Label is { } label:
                var folderId = await db.FoldersOf(userId).Where(f => f.Name == label).Select(f => (long?)f.Id).FirstOrDefaultAsync(ct);
                if (folderId is { } folder)
                {
                    await ItemMarks.MarkAllReadAsync(db, userId, feedId: null, upToItem: null, upTo, ct, folder);
                }
                return ReaderSubscriptionsApi.Ok();
            default:
                return ReaderSubscriptionsApi.BadRequest("s must be feed/{id}, user/-/label/{name} or user/-/state/com.google/reading-list.");
        }
    }

    private static bool? Decide(bool? current, bool value) => current ?? value;

    private static List<long>? ItemIds(ReaderParameters p)
    {
        var raw = p.All("i");
        var ids = raw.Select(ReaderItemIds.Parse).ToList();
        return ids.Count == 0 || ids.Any(i => i is null) ? null : [.. ids.Select(i => i!.Value)];
    }

    private static async Task<string> TitleAsync(AppDbContext db, long userId, ReaderStream stream, CancellationToken ct) => stream.Kind switch
    {
        ReaderStreamKind.Feed when stream.FeedId is { } feedId =>
            await db.SubscriptionsOf(userId).Where(s => s.FeedId == feedId).Select(s => s.Title ?? s.Feed.Title ?? s.Feed.Url).FirstOrDefaultAsync(ct) ?? "",
        ReaderStreamKind.Starred => "Starred items",
        ReaderStreamKind.Label => stream.Label ?? "",
        _ => "Reading list",
    };
}
