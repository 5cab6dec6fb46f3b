using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Feeds;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>An item of the caller's feeds with their read mark and star; <see cref="ContentHtml"/> is sanitized.</summary>
public sealed record ItemResponse(
    long Id,
    string? Guid,
    string? Title,
    string? Link,
    string? Author,
    DateTime? PublishedAt,
    string? ContentHtml,
    long FeedId,
    bool Read,
    bool Starred);

/// <summary>Body of <c>PATCH /api/items/{id}</c>: what to change (either or both).</summary>
public sealed record ItemChangeRequest(bool? Read, bool? Starred);

/// <summary><c>/api/items</c>: the caller's items across their feeds, and their read marks and stars.</summary>
public static class ItemsApi
{
    public static IEndpointRouteBuilder MapItemsApi(this IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/api/items").WithTags("Items");
        items.MapGet("/", ListAsync);
        items.MapPatch("/{id:long}", ChangeAsync);
        return app;
    }

    /// <summary>
    /// Newest first, keyset-paged by <paramref name="before"/>. <paramref name="unread"/> and
    /// <paramref name="starred"/> filter either way when given, <paramref name="folderId"/> keeps the
    /// items of one of the caller's folders (another's: 404). Full-text search (<c>q</c>) is not built
    /// yet: asking for it is a 400 rather than a silently unfiltered answer.
    /// </summary>
    public static async Task<Results<Ok<List<ItemResponse>>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal caller,
        IDbContextFactory<AppDbContext> contexts,
        CancellationToken ct,
        bool? unread = null,
        bool? starred = null,
        long? folderId = null,
        string? q = null,
        int? limit = null,
        long? before = null)
    {
        if (q is not null)
        {
            return TypedResults.Problem(
                "Search (q) is not available yet.",
                statusCode: StatusCodes.Status400BadRequest, title: "Unsupported filter");
        }
        var userId = caller.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (folderId is { } folder && !await db.FoldersOf(userId).AnyAsync(f => f.Id == folder, ct))
        {
            return TypedResults.Problem($"There is no folder {folder}.", statusCode: StatusCodes.Status404NotFound);
        }
        var page = await new ItemFilter(unread, starred, folderId)
            .Page(db, userId, before, oldestFirst: false, Math.Clamp(limit ?? FeedQueries.DefaultItemLimit, 1, FeedQueries.MaxItemLimit))
            .Select(i => new ItemResponse(
                i.Id, i.Guid, i.Title, i.Link, i.Author, i.PublishedAt, i.ContentHtml, i.FeedId,
                !db.UnreadItems.Any(x => x.UserId == userId && x.ItemId == i.Id),
                db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id)))
            .ToListAsync(ct);
        return TypedResults.Ok(page);
    }

    /// <summary>204 when changed; 404 for an item that is not the caller's.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> ChangeAsync(
        long id,
        ItemChangeRequest request,
        ClaimsPrincipal caller,
        IDbContextFactory<AppDbContext> contexts,
        WriteLane lane,
        TimeProvider time,
        CancellationToken ct)
    {
        if (request.Read is null && request.Starred is null)
        {
            return TypedResults.Problem("Send \"read\" or \"starred\" (or both) as true or false.",
                statusCode: StatusCodes.Status400BadRequest, title: "Nothing to change");
        }
        var userId = caller.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var found = true;
        if (request.Read is { } read)
        {
            found = await ItemReadState.SetReadAsync(db, lane, userId, id, read, ct);
        }
        if (found && request.Starred is { } starred)
        {
            found = await ItemReadState.SetStarredAsync(db, lane, userId, id, starred, time.GetUtcNow().UtcDateTime, ct);
        }
        return found
            ? TypedResults.NoContent()
            : TypedResults.Problem($"There is no item {id}.", statusCode: StatusCodes.Status404NotFound);
    }
}
