using Microsoft.OpenApi;

namespace App.Web;

/// <summary>
/// The JSON API described as OpenAPI at <c>/openapi/v1.json</c> (for signed-in users), with its two
/// ways to authenticate: Basic with a username and password, or an API key in <c>X-Auth-Token</c>.
/// </summary>
public static class ApiDocument
{
    public const string BasicScheme = "basic";

    public const string KeyScheme = "apiKey";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Feed reader API",
                Version = "v1",
                Description = "A user's feeds, items, read marks and stars, the jobs that fetch the feeds, "
                    + "and (for administrators) users and the queue. Errors are application/problem+json.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [BasicScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "basic",
                    Description = "The username and password of an account.",
                },
                [KeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = Accounts.ApiCredentialsHandler.KeyHeader,
                    Description = "An API key, created under Settings or with POST /api/keys.",
                },
            };
            // Either scheme alone is enough: two requirements, not one with both.
            document.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BasicScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyScheme, document)] = [] },
            ];
            return Task.CompletedTask;
        }));

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi();
        return app;
    }
}
