using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace App.Web.Monitoring;

/// <summary>
/// The two probes. <c>/healthz</c> (liveness): 200 while the database can be read. <c>/healthz/ready</c>
/// (readiness): every condition that makes the install degraded, each a named check, answered as
/// JSON with 200 when all pass and 503 naming what fails. Both anonymous: they say what is wrong,
/// never how the install is configured (no addresses, worker names or exception text).
/// </summary>
public static class HealthProbes
{
    public const string ReadyPath = "/healthz/ready";

    private const string Live = "live";
    private const string Ready = "ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The checks, in one place: add a condition here, tagged <see cref="Ready"/>.</summary>
    public static IServiceCollection AddHealthProbes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>()
            .Bind(configuration.GetSection(HealthOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [Live, Ready])
            .AddCheck<WorkersHealthCheck>("workers", HealthStatus.Degraded, [Ready])
            .AddCheck<DueJobsHealthCheck>("due-jobs", HealthStatus.Degraded, [Ready])
            .AddCheck<BackupHealthCheck>("backup", HealthStatus.Degraded, [Ready])
            .AddCheck<DiskHealthCheck>("disk", HealthStatus.Degraded, [Ready]);
        return services;
    }

    public static WebApplication MapHealthProbes(this WebApplication app)
    {
        app.MapHealthChecks(WebSetup.HealthPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(Live) })
            .AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(Ready),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();
        return app;
    }

    /// <summary><c>{"status": "degraded", "checks": [{"name": "workers", "status": "degraded", "reason": "…"}, …]}</c>.</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new ReadinessReport(
            Name(report.Status),
            [.. report.Entries.Select(e => new ReadinessCheck(e.Key, Name(e.Value.Status), e.Value.Description))]);
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Json, context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
