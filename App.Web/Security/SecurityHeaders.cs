namespace App.Web.Security;

/// <summary>
/// Headers on every response. The policy allows scripts and styles from our own origin only (no
/// inline code at all: every script is a file in wwwroot/js), so a script that slips into stored
/// item HTML cannot run even if the sanitizer missed it. Item images and podcast media come from
/// the feeds' own hosts, hence http:/https: for img and media.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' http: https: data:; " +
        "media-src 'self' http: https:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // Opening an item's link must not tell its site which reader (and which feed page) sent the visitor.
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
