using App.Web.Accounts;
using App.Web.Batches;
using App.Web.Feeds;
using App.Web.Folders;
using App.Web.GoogleReader;
using App.Web.Items;
using App.Web.Jobs;
using App.Web.Monitoring;
using App.Web.Opml;
using App.Web.Rivers;
using App.Web.Shared;
using Microsoft.AspNetCore.HttpOverrides;

namespace App.Web;

/// <summary>The web process's services and request pipeline, as the extension calls Program.cs is made of.</summary>
public static class WebSetup
{
    public const string HealthPath = "/healthz";

    /// <summary>Listens on all interfaces at port <c>PORT</c> when that variable is set (the Procfile convention); otherwise <c>Urls</c> applies.</summary>
    public static WebApplicationBuilder ListenOnPortVariable(this WebApplicationBuilder builder)
    {
        if (builder.Configuration["PORT"] is { Length: > 0 } port)
        {
            if (!ushort.TryParse(port, out var number) || number == 0)
            {
                throw new InvalidOperationException($"PORT must be a port number, not '{port}'.");
            }
            builder.WebHost.UseUrls($"http://0.0.0.0:{number}");
        }
        return builder;
    }

    /// <summary>
    /// Problem details, accounts (every endpoint needs a user unless it says otherwise), Razor Pages
    /// (rooted at the project folder, so pages sit next to their API), the OpenAPI document, the
    /// health probes and the metrics.
    /// </summary>
    public static IServiceCollection AddWebApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<DiskFullResponses>();
        // A malformed request body is a 400 problem in every environment, not a developer exception.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddAccounts(configuration);
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/";
            foreach (var route in RiverModel.OtherRoutes)
            {
                o.Conventions.AddPageRoute("/Rivers/River", route);
            }
        });
        services.AddApiDocument();
        services.AddAntiforgery();
        services.AddSingleton<WorkerPresence>();
        services.AddHealthProbes(configuration);
        services.AddMetricsExport(configuration);
        services.AddSingleton<FeedSubscriber>();
        services.AddSingleton<FolderEdits>();
        services.AddSingleton<FeedSettingsEdits>();
        services.AddOptions<FeedRefreshOptions>()
            .Bind(configuration.GetSection(FeedRefreshOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<OpmlOptions>()
            .Bind(configuration.GetSection(OpmlOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Errors: an exception is a 500 problem+json without exception details, in every environment
    /// (the exception is logged); a full disk is a 507 (<see cref="DiskFullResponses"/>). An empty
    /// error response becomes a problem under <c>/api</c> and the status page elsewhere; for pages
    /// that wraps the exception handler, so a failed form post gets a readable page too.
    /// </summary>
    public static WebApplication UseErrorResponses(this WebApplication app)
    {
        app.UseWhen(c => !IsApi(c.Request), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));
        app.UseExceptionHandler();
        app.UseWhen(c => IsApi(c.Request), api => api.UseStatusCodePages());
        // Routing after the error handlers, so that a re-executed request is routed again.
        app.UseRouting();
        return app;
    }

    /// <summary>
    /// Behind a reverse proxy on the same machine (nginx, Caddy terminating TLS), the request's
    /// scheme and client address are the ones the proxy forwards: session cookies are then marked
    /// Secure under HTTPS, and failed sign-ins are counted per real client, not per proxy. Only
    /// loopback proxies are trusted (the framework's default), so a client cannot forge them.
    /// </summary>
    public static WebApplication UseReverseProxyHeaders(this WebApplication app)
    {
        app.UseForwardedHeaders(new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
        });
        return app;
    }

    /// <summary>Who is signed in (session cookie, Basic or an API key), then whether they may go on.</summary>
    public static WebApplication UseAccounts(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// Static files and the health probes for anyone; pages, the JSON API and its description for
    /// signed-in users; the metrics for administrators and scrapers.
    /// </summary>
    public static WebApplication MapWebApp(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorPages().WithStaticAssets();
        app.MapFeedsApi();
        app.MapItemsApi();
        app.MapItemArticleApi();
        app.MapFoldersApi();
        app.MapJobsApi();
        app.MapBatchesApi();
        app.MapUsersApi();
        app.MapKeysApi();
        app.MapOpmlExport();
        app.MapOpmlImportApi();
        app.MapGoogleReader();
        app.MapApiDocument();
        app.MapHealthProbes();
        app.MapMetrics();
        return app;
    }

    /// <summary>Whether the request is for the JSON API, which answers problem+json rather than pages.</summary>
    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");
}
