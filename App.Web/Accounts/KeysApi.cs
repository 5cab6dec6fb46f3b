using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace App.Web.Accounts;

/// <summary>Body of <c>POST /api/keys</c>.</summary>
public sealed record AddKeyRequest(string? Name);

/// <summary><c>/api/keys</c>: the caller's API keys.</summary>
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Keys");
        keys.MapPost("/", AddAsync);
        keys.MapGet("/", ListAsync);
        keys.MapDelete("/{id:long}", RevokeAsync);
        return app;
    }

    /// <summary>201 with the key, shown only here.</summary>
    public static async Task<Results<Created<NewApiKeyResponse>, ProblemHttpResult>> AddAsync(
        AddKeyRequest request, ClaimsPrincipal caller, ApiKeyStore keys, CancellationToken ct)
    {
        var (key, problem) = await keys.CreateAsync(caller.UserId(), request.Name, ct);
        return key is null
            ? TypedResults.Problem(problem, statusCode: StatusCodes.Status400BadRequest, title: "Invalid key")
            : TypedResults.Created($"/api/keys/{key.Id}", key);
    }

    public static async Task<Ok<List<ApiKeyResponse>>> ListAsync(ClaimsPrincipal caller, ApiKeyStore keys, CancellationToken ct) =>
        TypedResults.Ok(await keys.ListAsync(caller.UserId(), ct));

    /// <summary>204: requests with the key are refused from now on.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        long id, ClaimsPrincipal caller, ApiKeyStore keys, CancellationToken ct) =>
        await keys.RevokeAsync(caller.UserId(), id, ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"There is no key {id}.", statusCode: StatusCodes.Status404NotFound);
}
