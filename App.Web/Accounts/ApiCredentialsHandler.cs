using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace App.Web.Accounts;

/// <summary>
/// Authentication for scripts and apps: <c>Authorization: Basic base64(username:password)</c> or
/// <c>X-Auth-Token: &lt;API key&gt;</c> on every request. Wrong credentials answer 401, too many
/// wrong ones 429, both as problem+json with a sentence saying what to do. No
/// <c>WWW-Authenticate: Basic</c> challenge is sent: a browser would answer it with a password
/// dialog and then send those credentials on its own, to every request, cross-site ones included.
/// </summary>
public sealed class ApiCredentialsHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CredentialCheck check,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiCredentials";

    public const string KeyHeader = "X-Auth-Token";

    private CredentialResult? _result;
    private bool _malformed;

    /// <summary>Whether the request carries credentials of this scheme (else the session cookie applies).</summary>
    public static bool HasCredentials(HttpRequest request) =>
        request.Headers.ContainsKey(KeyHeader)
        || (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var client = Context.Connection.RemoteIpAddress;
        if (Request.Headers[KeyHeader].ToString() is { Length: > 0 } key)
        {
            _result = await check.CheckKeyAsync(key.Trim(), client, Context.RequestAborted);
        }
        else if (ParseBasic() is var (username, password))
        {
            _result = check.CheckPassword(username, password, client, remember: true);
        }
        else
        {
            _malformed = true;
            return AuthenticateResult.Fail("The Authorization header is not valid Basic credentials.");
        }
        return _result.User is { } user
            ? AuthenticateResult.Success(new AuthenticationTicket(AccountClaims.Principal(user, SchemeName), SchemeName))
            : AuthenticateResult.Fail("Wrong credentials.");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (status, detail) = _result switch
        {
            { RefusedFor: { } wait } => (StatusCodes.Status429TooManyRequests,
                $"Too many failed sign-ins. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} minute(s)."),
            _ when _malformed => (StatusCodes.Status401Unauthorized,
                "The Authorization header is not valid: send Basic base64(username:password), or the header X-Auth-Token with an API key."),
            _ when Request.Headers.ContainsKey(KeyHeader) => (StatusCodes.Status401Unauthorized,
                "The API key is not valid: it may have been revoked. Create one under Settings."),
            _ => (StatusCodes.Status401Unauthorized, "Wrong username or password."),
        };
        if (_result?.RefusedFor is { } retryAfter)
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    private (string Username, string Password)? ParseBasic()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
        {
            return null;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = decoded.IndexOf(':');
            return colon > 0 ? (decoded[..colon], decoded[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
