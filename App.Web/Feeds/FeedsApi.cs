using System.Globalization;
using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Feeds;

/// <summary>
/// <c>/api/feeds</c>: the caller's subscriptions. Subscribe, list, read items, rename and set how a feed is fetched, refresh and
/// unsubscribe; a feed the caller does not subscribe to answers 404 whatever its id.
/// </summary>
public static class FeedsApi
{
    public static IEndpointRouteBuilder MapFeedsApi(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/api/feeds").WithTags("Feeds");
        feeds.MapPost("/", AddAsync);
        feeds.MapGet("/", ListAsync);
        feeds.MapGet("/{id:long}", GetAsync);
        feeds.MapPatch("/{id:long}", UpdateAsync);
        feeds.MapGet("/{id:long}/items", ItemsAsync);
        feeds.MapGet("/{id:long}/icon", IconAsync);
        feeds.MapPost("/{id:long}/refresh", RefreshAsync);
        feeds.MapDelete("/{id:long}", DeleteAsync);
        return app;
    }

    /// <summary>
    /// 202 with the fetch to follow for a feed new to the caller (a new feed, or one another user
    /// has whose fetch is under way); 200 when there is nothing new to wait for.
    /// </summary>
    public static async Task<Results<Accepted<FeedJobResponse>, Ok<FeedJobResponse>, ProblemHttpResult>> AddAsync(
        AddFeedRequest request,
        ClaimsPrincipal caller,
        FeedSubscriber subscriber,
        CancellationToken ct)
    {
        if (!FeedUrl.TryNormalize(request.Url, out var url, out var error))
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid feed address");
        }
        var subscription = await subscriber.SubscribeAsync(caller.UserId(), url, ct);
        var body = new FeedJobResponse(subscription.FeedId, subscription.JobId);
        return subscription.HasNewFetch
            ? TypedResults.Accepted($"/api/jobs/{subscription.JobId}", body)
            : TypedResults.Ok(body);
    }

    /// <summary>
    /// A page of the caller's feeds, oldest subscription first: <c>limit</c> (default
    /// <see cref="FeedQueries.DefaultFeedLimit"/>, at most <see cref="FeedQueries.MaxFeedLimit"/>),
    /// <c>after</c> a feed id. When there are more, <c>Link: &lt;…&gt;; rel="next"</c> gives the next page.
    /// </summary>
    public static async Task<Ok<List<FeedResponse>>> ListAsync(
        ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, HttpRequest request, CancellationToken ct,
        int? limit = null, long? after = null)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var take = Math.Clamp(limit ?? FeedQueries.DefaultFeedLimit, 1, FeedQueries.MaxFeedLimit);
        var page = await FeedQueries.PageAsync(db, caller.UserId(), after, take, ct);
        if (page.NextAfter is { } next)
        {
            var query = new QueryString(string.Create(CultureInfo.InvariantCulture, $"?limit={take}&after={next}"));
            var url = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query);
            request.HttpContext.Response.Headers.Link = $"<{url}>; rel=\"next\"";
        }
        return TypedResults.Ok(page.Feeds);
    }

    public static async Task<Results<Ok<FeedResponse>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FeedQueries.FindAsync(db, caller.UserId(), id, ct) is { } feed ? TypedResults.Ok(feed) : NotFound(id);
    }

    /// <summary>
    /// Beyond the contract: changes the fields present in the body, the caller's own name for the
    /// feed and how the feed is fetched (see <see cref="UpdateFeedRequest"/>). A value out of bounds
    /// is a 400 naming each field; fetch settings of a feed others follow, from a user who is no
    /// administrator, a 403. Nothing is stored unless all of it is.
    /// </summary>
    public static async Task<Results<Ok<FeedResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, UpdateFeedRequest request, ClaimsPrincipal caller, FeedSettingsEdits edits,
        IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        var errors = FeedSettingsEdits.Normalize(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(
                errors.ToDictionary(e => e.Key, e => new[] { e.Value }),
                detail: string.Join(" ", errors.Values), title: "Invalid feed settings");
        }
        var userId = caller.UserId();
        switch (await edits.SaveAsync(userId, caller.IsAdmin(), id, request, ct))
        {
            case FeedSettingsOutcome.NotFound:
                return NotFound(id);
            case FeedSettingsOutcome.Shared:
                return TypedResults.Problem(
                    "Other readers follow this feed too, and it is fetched once for all of them: only an administrator can change how it is fetched.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Shared feed");
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        return TypedResults.Ok((await FeedQueries.FindAsync(db, userId, id, ct))!);
    }

    public static async Task<Results<Ok<List<FeedItemResponse>>, ProblemHttpResult>> ItemsAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, CancellationToken ct,
        int? limit = null, long? before = null)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await FeedQueries.IsSubscribedAsync(db, caller.UserId(), id, ct))
        {
            return NotFound(id);
        }
        return TypedResults.Ok(await FeedQueries.ItemsAsync(db, id, before, limit ?? FeedQueries.DefaultItemLimit, ct));
    }

    /// <summary>The icon the worker fetched for the feed, served from the database (the reader's browser never calls the site).</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> IconAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, HttpContext http, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FeedQueries.IconAsync(db, caller.UserId(), id, ct) is not { } icon)
        {
            return TypedResults.Problem($"Feed {id} has no icon.", statusCode: StatusCodes.Status404NotFound, title: "No icon");
        }
        // A day: the worker looks for a new icon at most once in 30. Private: it is the caller's subscription.
        http.Response.Headers.CacheControl = "private, max-age=86400";
        return TypedResults.File(icon.Data, icon.ContentType);
    }

    public static async Task<Results<Accepted<FeedJobResponse>, ProblemHttpResult>> RefreshAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, WriteLane lane, JobQueue queue, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FeedRefresh.RefreshAsync(db, lane, queue, caller.UserId(), id, ct) is { } jobId
            ? TypedResults.Accepted($"/api/jobs/{jobId}", new FeedJobResponse(id, jobId))
            : NotFound(id);
    }

    /// <summary>
    /// Unsubscribes the caller; when nobody else subscribes, the feed goes too, with its items and
    /// jobs (the foreign keys' cascade).
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, ClaimsPrincipal caller, WriteLane lane, CancellationToken ct)
    {
        var userId = caller.UserId();
        return await lane.InWriteTransactionAsync(c => SubscriptionWrites.Unsubscribe(c, userId, id), ct)
            ? TypedResults.NoContent()
            : NotFound(id);
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem($"There is no feed {id}.", statusCode: StatusCodes.Status404NotFound);
}
