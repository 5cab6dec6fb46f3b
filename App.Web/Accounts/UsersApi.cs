using System.Security.Claims;
using App.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Accounts;

/// <summary>Body of <c>POST /api/users</c>.</summary>
public sealed record AddUserRequest(string? Username, string? Password, bool Admin = false);

/// <summary>A user as administrators see them.</summary>
public sealed record UserResponse(long Id, string Username, bool Admin);

/// <summary><c>/api/users</c>, for administrators: add, list and delete users.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(AccountsSetup.AdminPolicy);
        users.MapPost("/", AddAsync);
        users.MapGet("/", ListAsync);
        users.MapDelete("/{id:long}", DeleteAsync);
        return app;
    }

    /// <summary>201 with the user; a taken name 409; a bad name or a weak password 400.</summary>
    public static async Task<Results<Created<UserResponse>, ProblemHttpResult>> AddAsync(
        AddUserRequest request, UserAccounts accounts, CancellationToken ct)
    {
        var change = await accounts.CreateAsync(request.Username, request.Password, request.Admin, ct);
        if (change.User is not { } user)
        {
            return change.Conflict
                ? TypedResults.Problem(change.Problem, statusCode: StatusCodes.Status409Conflict, title: "Username taken")
                : TypedResults.Problem(change.Problem, statusCode: StatusCodes.Status400BadRequest, title: "Invalid user");
        }
        return TypedResults.Created($"/api/users/{user.Id}", new UserResponse(user.Id, user.Username, user.IsAdmin));
    }

    public static async Task<Ok<List<UserResponse>>> ListAsync(IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return TypedResults.Ok(await db.Users.OrderBy(u => u.Id)
            .Select(u => new UserResponse(u.Id, u.Username, u.IsAdmin))
            .ToListAsync(ct));
    }

    /// <summary>204; the user and all that is theirs are gone. An administrator cannot delete themselves (409).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, ClaimsPrincipal caller, UserAccounts accounts, CancellationToken ct)
    {
        if (id == caller.UserId())
        {
            return TypedResults.Problem("You cannot delete your own account.", statusCode: StatusCodes.Status409Conflict);
        }
        return await accounts.DeleteAsync(id, ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"There is no user {id}.", statusCode: StatusCodes.Status404NotFound);
    }
}
