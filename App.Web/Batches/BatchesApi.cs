using System.Security.Claims;
using App.Data;
using App.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Batches;

/// <summary><c>GET /api/batches/{id}</c>: the progress of a batch of the caller's (an import), which its page polls.</summary>
public static class BatchesApi
{
    public static IEndpointRouteBuilder MapBatchesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/batches/{id:long}", GetAsync).WithTags("Jobs");
        return app;
    }

    public static async Task<Results<Ok<BatchResponse>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await BatchQueries.FindAsync(db, caller.UserId(), id, ct) is { } batch
            ? TypedResults.Ok(batch)
            : TypedResults.Problem($"There is no batch {id}.", statusCode: StatusCodes.Status404NotFound);
    }
}
