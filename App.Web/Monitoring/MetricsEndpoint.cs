using System.Security.Cryptography;
using System.Text;
using App.Web.Accounts;
using Microsoft.Extensions.Options;

namespace App.Web.Monitoring;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format, for administrators (session, Basic or an API
/// key) or a scraper sending <c>Authorization: Bearer &lt;Metrics:ScrapeToken&gt;</c>. Without
/// either: 401; a signed-in user who is not an administrator: 404, as for every administrators'
/// page (the address tells nothing).
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    private const string TextFormat = "text/plain; version=0.0.4; charset=utf-8";

    public static IServiceCollection AddMetricsExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<MetricsExport>();
        return services;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        // Anonymous to the fallback policy (which would send a scraper to the sign-in page); the
        // handler decides, since a scrape token is not an account.
        app.MapGet(Path, (HttpContext http, MetricsExport export, IOptionsMonitor<MetricsOptions> options) =>
            Access(http, options.CurrentValue.ScrapeToken) switch
            {
                StatusCodes.Status200OK => Results.Stream(stream => export.WriteAsync(stream, http.RequestAborted), TextFormat),
                StatusCodes.Status404NotFound => Results.NotFound(),
                _ => Results.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    detail: "Sign in as an administrator (session, Basic or X-Auth-Token), or send Authorization: Bearer with the scrape token (Metrics:ScrapeToken)."),
            }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static int Access(HttpContext http, string? scrapeToken)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return !string.IsNullOrEmpty(scrapeToken) && SameSecret(header["Bearer ".Length..].Trim(), scrapeToken)
                ? StatusCodes.Status200OK
                : StatusCodes.Status401Unauthorized;
        }
        if (http.User.Identity?.IsAuthenticated != true)
        {
            return StatusCodes.Status401Unauthorized;
        }
        return http.User.IsAdmin() ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
    }

    // Compared as hashes in constant time: how long the comparison takes says nothing about the token.
    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
