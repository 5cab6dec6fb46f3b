using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Items;

/// <summary>An item's full article as the fetch-article job stored it: sanitized HTML, null until one was loaded.</summary>
public sealed record ItemArticleResponse(long ItemId, string? Link, string? ArticleHtml, DateTime? FetchedAt);

/// <summary>The job that loads an item's full article.</summary>
public sealed record ItemArticleJobResponse(long ItemId, long JobId);

/// <summary><c>/api/items/{id}/article</c>: "fetch original content" for one item, and what it stored.</summary>
public static class ItemArticleApi
{
    public static IEndpointRouteBuilder MapItemArticleApi(this IEndpointRouteBuilder app)
    {
        var article = app.MapGroup("/api/items/{id:long}/article").WithTags("Items");
        article.MapGet("/", GetAsync);
        article.MapPost("/", RequestAsync);
        return app;
    }

    /// <summary>The stored article (its fields null when none has been loaded); 404 for an item that is not the caller's.</summary>
    public static async Task<Results<Ok<ItemArticleResponse>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var article = await db.ItemsOf(caller.UserId()).Where(i => i.Id == id)
            .Select(i => new ItemArticleResponse(i.Id, i.Link, i.ArticleHtml, i.ArticleFetchedAt))
            .FirstOrDefaultAsync(ct);
        return article is null
            ? TypedResults.Problem($"There is no item {id}.", statusCode: StatusCodes.Status404NotFound)
            : TypedResults.Ok(article);
    }

    /// <summary>
    /// 202 with the fetch-article job (a new one at user priority, or the one already queued) to follow
    /// at <c>/api/jobs/{jobId}</c>; 400 for an item without a web link; 404 for one not the caller's.
    /// Loading again replaces a stored article when the job succeeds.
    /// </summary>
    public static async Task<Results<Accepted<ItemArticleJobResponse>, ProblemHttpResult>> RequestAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, WriteLane lane, JobQueue queue, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (outcome, jobId) = await ItemArticle.RequestAsync(db, lane, queue, caller.UserId(), id, ct);
        return outcome switch
        {
            ArticleRequestOutcome.Queued => TypedResults.Accepted($"/api/jobs/{jobId}", new ItemArticleJobResponse(id, jobId)),
            ArticleRequestOutcome.NoLink => TypedResults.Problem("The item has no web address to load an article from.",
                statusCode: StatusCodes.Status400BadRequest, title: "No link"),
            _ => TypedResults.Problem($"There is no item {id}.", statusCode: StatusCodes.Status404NotFound),
        };
    }
}
