using App.Data.Sqlite;
using Microsoft.AspNetCore.Diagnostics;

namespace App.Web.Shared;

/// <summary>
/// A write refused for a full disk (SQLITE_FULL) answers <c>507 Insufficient Storage</c> saying
/// that nothing was stored (the transaction rolled back), not a generic 500: problem+json for the
/// API and for page scripts, the status page for a form post. The full disk is recorded in
/// <see cref="DiskFullState"/> (the pages' banner, readiness) and logged there once a minute;
/// an exception handled here is not logged per request.
/// </summary>
public sealed class DiskFullResponses(DiskFullState state, IProblemDetailsService problems) : IExceptionHandler
{
    public const string Title = "Insufficient storage";

    public const string Detail = "The server's disk is full: nothing was stored. Try again once space has been freed.";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!state.Observe(exception))
        {
            return false;
        }
        context.Response.StatusCode = StatusCodes.Status507InsufficientStorage;
        if (WebSetup.IsApi(context.Request) || context.Request.WantsJson())
        {
            await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status507InsufficientStorage, Title = Title, Detail = Detail },
            });
        }
        // A page request leaves the body empty: the status code pages around this handler show /status/507.
        return true;
    }
}
