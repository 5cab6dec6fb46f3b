using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace App.Web.Accounts;

/// <summary>
/// What is for administrators answers 404 to everyone else, as another user's feed or job does:
/// a 403 would tell that the address exists. The empty 404 becomes a problem under /api and the
/// not-found page elsewhere.
/// </summary>
public sealed class HiddenFromOthers : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
