using App.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Batches;

/// <summary><c>GET /api/batches/{id}</c>: a batch's progress, which its page polls.</summary>
public static class BatchesApi
{
    public static IEndpointRouteBuilder MapBatchesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/batches/{id:long}", GetAsync).WithTags("Jobs");
        return app;
    }

    public static async Task<Results<Ok<BatchResponse>, ProblemHttpResult>> GetAsync(
        long id, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await BatchQueries.FindAsync(db, id, ct) is { } batch
            ? TypedResults.Ok(batch)
            : TypedResults.Problem($"There is no batch {id}.", statusCode: StatusCodes.Status404NotFound);
    }
}
