using App.Data;
using App.Data.Queue;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary><c>/api/feeds</c>: subscribe, list, read items, refresh and delete feeds.</summary>
public static class FeedsApi
{
    public static IEndpointRouteBuilder MapFeedsApi(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/api/feeds").WithTags("Feeds");
        feeds.MapPost("/", AddAsync);
        feeds.MapGet("/", ListAsync);
        feeds.MapGet("/{id:long}", GetAsync);
        feeds.MapGet("/{id:long}/items", ItemsAsync);
        feeds.MapGet("/{id:long}/icon", IconAsync);
        feeds.MapPost("/{id:long}/refresh", RefreshAsync);
        feeds.MapDelete("/{id:long}", DeleteAsync);
        return app;
    }

    public static async Task<Results<Accepted<FeedJobResponse>, Ok<FeedJobResponse>, ProblemHttpResult>> AddAsync(
        AddFeedRequest request,
        FeedSubscriber subscriber,
        CancellationToken ct)
    {
        if (!FeedUrl.TryNormalize(request.Url, out var url, out var error))
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid feed address");
        }
        var subscription = await subscriber.SubscribeAsync(url, ct);
        var body = new FeedJobResponse(subscription.FeedId, subscription.JobId);
        return subscription.Created
            ? TypedResults.Accepted($"/api/jobs/{subscription.JobId}", body)
            : TypedResults.Ok(body);
    }

    public static async Task<Ok<List<FeedResponse>>> ListAsync(
        IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return TypedResults.Ok(await FeedQueries.ListAsync(db, ct));
    }

    public static async Task<Results<Ok<FeedResponse>, ProblemHttpResult>> GetAsync(
        long id, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FeedQueries.FindAsync(db, id, ct) is { } feed ? TypedResults.Ok(feed) : NotFound(id);
    }

    public static async Task<Results<Ok<List<FeedItemResponse>>, ProblemHttpResult>> ItemsAsync(
        long id, IDbContextFactory<AppDbContext> contexts, CancellationToken ct, int? limit = null, long? before = null)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Feeds.AnyAsync(f => f.Id == id, ct))
        {
            return NotFound(id);
        }
        return TypedResults.Ok(await FeedQueries.ItemsAsync(db, id, before, limit ?? FeedQueries.DefaultItemLimit, ct));
    }

    /// <summary>The icon the worker fetched for the feed, served from the database (the reader's browser never calls the site).</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> IconAsync(
        long id, IDbContextFactory<AppDbContext> contexts, HttpContext http, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedQueries.IconAsync(db, id, ct) is not { } icon)
        {
            return TypedResults.Problem($"Feed {id} has no icon.", statusCode: StatusCodes.Status404NotFound, title: "No icon");
        }
        // A day: the worker looks for a new icon at most once in 30.
        http.Response.Headers.CacheControl = "public, max-age=86400";
        return TypedResults.File(icon.Data, icon.ContentType);
    }

    public static async Task<Results<Accepted<FeedJobResponse>, ProblemHttpResult>> RefreshAsync(
        long id, IDbContextFactory<AppDbContext> contexts, JobQueue queue, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FeedRefresh.RefreshAsync(db, queue, id, ct) is { } jobId
            ? TypedResults.Accepted($"/api/jobs/{jobId}", new FeedJobResponse(id, jobId))
            : NotFound(id);
    }

    /// <summary>Deletes the feed; its items and jobs go with it through the foreign keys' cascade.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var deleted = await db.Feeds.Where(f => f.Id == id).ExecuteDeleteAsync(ct);
        return deleted == 1 ? TypedResults.NoContent() : NotFound(id);
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem($"There is no feed {id}.", statusCode: StatusCodes.Status404NotFound);
}
