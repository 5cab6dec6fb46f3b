using App.Worker.Queue;

namespace App.Worker.Articles;

/// <summary>Registration of the fetch-article handler; it uses the feeds' fetcher and sanitizer.</summary>
public static class ArticleSetup
{
    public static IServiceCollection AddArticleHandler(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArticleOptions>()
            .Bind(configuration.GetSection(ArticleOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ArticleExtractor>();
        services.AddSingleton<IJobHandler, FetchArticleHandler>();
        return services;
    }
}
