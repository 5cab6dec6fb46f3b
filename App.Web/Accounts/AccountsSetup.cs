using App.Data.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace App.Web.Accounts;

/// <summary>
/// Sign-in for the whole web process: a session cookie for people in the browser, Basic or an API
/// key for scripts and apps (chosen per request by the headers it carries), the token of
/// ClientLogin for the Google Reader API under <c>/reader</c>, and a fallback policy
/// that makes every endpoint need a user unless it says otherwise (<c>/login</c>, <c>/healthz</c>,
/// static files).
/// </summary>
public static class AccountsSetup
{
    /// <summary>Picks the cookie or <see cref="ApiCredentialsHandler"/> for each request.</summary>
    public const string Scheme = "App";

    public const string AdminPolicy = "Admin";

    public const string CookieName = "feedreader.session";

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<PasswordHasher<User>>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<AccountReads>();
        services.AddSingleton<RecentSignIns>();
        services.AddSingleton<CredentialCheck>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<ApiKeyStore>();

        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, null, o => o.ForwardDefaultSelector = context =>
                GoogleLoginHandler.IsReaderRequest(context.Request) ? GoogleLoginHandler.SchemeName
                : ApiCredentialsHandler.HasCredentials(context.Request) ? ApiCredentialsHandler.SchemeName
                : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromDays(30);
                o.SlidingExpiration = true;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ReturnUrlParameter = "returnUrl";
                o.Events.OnRedirectToLogin = RedirectToLoginAsync;
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiCredentialsHandler>(ApiCredentialsHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, GoogleLoginHandler>(GoogleLoginHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AdminPolicy, p => p.RequireRole(AccountClaims.AdminRole));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, HiddenFromOthers>();
        return services;
    }

    /// <summary>A page goes to the sign-in form (and back afterwards); the API answers 401.</summary>
    private static async Task RedirectToLoginAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        var http = context.HttpContext;
        if (!WebSetup.IsApi(http.Request))
        {
            http.Response.Redirect(context.RedirectUri);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Detail = $"Sign in first: send Authorization: Basic base64(username:password), or the header {ApiCredentialsHandler.KeyHeader} with an API key.",
            },
        });
    }

    /// <summary>
    /// A session ends when its user is deleted or changes their password (a new security stamp);
    /// a change of role takes effect at once.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal!;
        var id = principal.UserId();
        var user = context.HttpContext.RequestServices.GetRequiredService<CredentialCheck>().SessionUser(id);
        if (user is null || user.SecurityStamp != principal.FindFirst(AccountClaims.StampClaim)?.Value)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        if (user.IsAdmin != principal.IsAdmin() || user.Username != principal.Identity?.Name)
        {
            context.ReplacePrincipal(AccountClaims.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme));
            context.ShouldRenew = true;
        }
    }
}
