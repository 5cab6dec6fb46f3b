using App.Worker.Articles;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;
using App.Worker.Feeds.Store;
using App.Worker.Monitoring;
using App.Worker.Queue;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace App.Worker.Feeds;

/// <summary>Registration of the fetch-feed, fetch-icon and fetch-article handlers and what they use.</summary>
public static class FeedSetup
{
    public static IServiceCollection AddFeedHandlers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FeedOptions>()
            .Bind(configuration.GetSection(FeedOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WorkerMetrics>();
        services.AddSingleton<PrivateAddressGuard>();
        services.AddHttpClient(FeedFetcher.ClientName, FeedFetcher.ConfigureClient)
            .ConfigurePrimaryHttpMessageHandler(sp => FeedFetcher.CreateHandler(
                sp.GetRequiredService<PrivateAddressGuard>(), sp.GetRequiredService<IOptions<FeedOptions>>().Value))
            // One handler for the life of the process. The factory's default replaces it every two
            // minutes, and the old one serves its requests under way while the new one opens
            // connections of its own: for a while, twice Feeds:MaxConnectionsPerHost to a host. The
            // handler's PooledConnectionLifetime already picks up DNS changes.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<FeedFetcher>();
        services.AddSingleton<FeedParser>();
        services.AddSingleton<FeedLocator>();
        services.AddSingleton<ItemSanitizer>();
        services.AddSingleton<GarbageBudget>();
        services.AddSingleton<FeedItemStore>();
        services.AddSingleton<IJobHandler, FetchFeedHandler>();
        services.AddSingleton<IJobHandler, FetchIconHandler>();
        services.AddArticleHandler(configuration);
        return services;
    }
}
