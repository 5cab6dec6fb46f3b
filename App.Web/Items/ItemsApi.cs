using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Data.Writes;
using App.Web.Accounts;
using App.Web.Feeds;
using App.Web.Search;
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
    /// items of one of the caller's folders (another's: 404), <paramref name="q"/> those whose title
    /// or text matches it as the search box reads it (<see cref="SearchQuery"/>); a search that
    /// cannot be read is a 400.
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
        if (q is { Length: > SearchQuery.MaxLength })
        {
            return TypedResults.Problem($"A search is at most {SearchQuery.MaxLength} characters.",
                statusCode: StatusCodes.Status400BadRequest, title: "Search too long");
        }
        var search = SearchQuery.Parse(q);
        if (q is not null && search is null)
        {
            return TypedResults.Problem("The search has no word to look for.",
                statusCode: StatusCodes.Status400BadRequest, title: "Empty search");
        }
        if (search?.Error is { } error)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Unreadable search");
        }
        var userId = caller.UserId();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (folderId is { } folder && !await db.FoldersOf(userId).AnyAsync(f => f.Id == folder, ct))
        {
            return TypedResults.Problem($"There is no folder {folder}.", statusCode: StatusCodes.Status404NotFound);
        }
        var items = new ItemFilter(unread, starred, folderId, search)
            .Page(db, userId, before, oldestFirst: false, Math.Clamp(limit ?? FeedQueries.DefaultItemLimit, 1, FeedQueries.MaxItemLimit))
            .Select(i => new ItemResponse(
                i.Id, i.Guid, i.Title, i.Link, i.Author, i.PublishedAt, i.ContentHtml, i.FeedId,
                !db.UnreadItems.Any(x => x.UserId == userId && x.ItemId == i.Id),
                db.StarredItems.Any(x => x.UserId == userId && x.ItemId == i.Id)));
        return TypedResults.Ok(await items.ToListAsync(ct));
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
