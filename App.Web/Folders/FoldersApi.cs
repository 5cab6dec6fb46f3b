using System.Security.Claims;
using App.Data;
using App.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Folders;

/// <summary>
/// <c>/api/folders</c>: the caller's folders (list with unread counts, add, rename, delete), and
/// <c>PUT /api/feeds/{id}/folder</c>, which puts a feed in one. Another user's folder answers 404.
/// </summary>
public static class FoldersApi
{
    public static IEndpointRouteBuilder MapFoldersApi(this IEndpointRouteBuilder app)
    {
        var folders = app.MapGroup("/api/folders").WithTags("Folders");
        folders.MapGet("/", ListAsync);
        folders.MapGet("/{id:long}", GetAsync);
        folders.MapPost("/", AddAsync);
        folders.MapPatch("/{id:long}", RenameAsync);
        folders.MapDelete("/{id:long}", DeleteAsync);
        app.MapPut("/api/feeds/{id:long}/folder", MoveAsync).WithTags("Feeds");
        return app;
    }

    public static async Task<Ok<List<FolderResponse>>> ListAsync(ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return TypedResults.Ok(await FolderQueries.ListAsync(db, caller.UserId(), ct));
    }

    public static async Task<Results<Ok<FolderResponse>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FolderQueries.FindAsync(db, caller.UserId(), id, ct) is { } folder ? TypedResults.Ok(folder) : NotFound(id);
    }

    /// <summary>201 with the folder; a name the caller already has (in any letter case) 409; an empty or too long one 400.</summary>
    public static async Task<Results<Created<FolderResponse>, ProblemHttpResult>> AddAsync(
        FolderRequest request, ClaimsPrincipal caller, FolderEdits edits, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        if (FolderEdits.Normalize(request.Name, out var error) is not { } name)
        {
            return BadName(error);
        }
        var userId = caller.UserId();
        if (await edits.AddAsync(userId, name, ct) is not { } id)
        {
            return NameTaken(name);
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        return TypedResults.Created($"/api/folders/{id}", (await FolderQueries.FindAsync(db, userId, id, ct))!);
    }

    public static async Task<Results<Ok<FolderResponse>, ProblemHttpResult>> RenameAsync(
        long id, FolderRequest request, ClaimsPrincipal caller, FolderEdits edits, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        if (FolderEdits.Normalize(request.Name, out var error) is not { } name)
        {
            return BadName(error);
        }
        var userId = caller.UserId();
        switch (await edits.RenameAsync(userId, id, name, ct))
        {
            case FolderEditOutcome.NotFound:
                return NotFound(id);
            case FolderEditOutcome.NameTaken:
                return NameTaken(name);
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        return TypedResults.Ok((await FolderQueries.FindAsync(db, userId, id, ct))!);
    }

    /// <summary>204; the folder's feeds stay subscribed, in no folder.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, ClaimsPrincipal caller, FolderEdits edits, CancellationToken ct) =>
        await edits.DeleteAsync(caller.UserId(), id, ct) ? TypedResults.NoContent() : NotFound(id);

    /// <summary>204; a feed the caller does not subscribe to, or a folder not theirs, 404.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> MoveAsync(
        long id, MoveFeedRequest request, ClaimsPrincipal caller, FolderEdits edits, CancellationToken ct) =>
        await edits.MoveAsync(caller.UserId(), id, request.FolderId, ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem(
                request.FolderId is { } folderId ? $"There is no feed {id} or no folder {folderId}." : $"There is no feed {id}.",
                statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem($"There is no folder {id}.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult BadName(string error) =>
        TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid folder name");

    private static ProblemHttpResult NameTaken(string name) =>
        TypedResults.Problem($"You have a folder named “{name}” already.", statusCode: StatusCodes.Status409Conflict, title: "Name taken");
}
