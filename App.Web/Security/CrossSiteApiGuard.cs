namespace App.Web.Security;

/// <summary>
/// The JSON API takes no antiforgery token (scripts and curl call it), so a browser on another
/// site must not be able to drive it: a state-changing /api request that a browser marks as
/// cross-site (Sec-Fetch-Site, else an Origin that is not ours) gets a 403. Requests without those
/// headers are not from a browser page and pass. Pages' own scripts post to page handlers, which
/// check antiforgery tokens.
/// </summary>
public static class CrossSiteApiGuard
{
    public static IApplicationBuilder UseCrossSiteApiGuard(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method) || IsSameOrigin(request))
        {
            return next(context);
        }
        return Results.Problem(
            "Cross-site requests to the API are refused.", statusCode: StatusCodes.Status403Forbidden)
            .ExecuteAsync(context);
    });

    private static bool IsSameOrigin(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site)
        {
            return site is "same-origin" or "none";
        }
        if (request.Headers.Origin.ToString() is not { Length: > 0 } origin)
        {
            return true;
        }
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase);
    }
}
