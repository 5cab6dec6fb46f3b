using System.Text.Encodings.Web;
using App.Web.GoogleReader;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace App.Web.Accounts;

/// <summary>
/// Authentication for the Google Reader API (<c>/reader/…</c>): the token ClientLogin issued, in
/// <c>Authorization: GoogleLogin auth=…</c> (what every client sends) or, on a POST without that
/// header, as the form's <c>T</c>. A missing, wrong or revoked token answers <c>401</c> with
/// <c>X-Reader-Google-Bad-Token: true</c>, which tells clients to sign in again.
/// </summary>
public sealed class GoogleLoginHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CredentialCheck check)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "GoogleLogin";

    public const string BadTokenHeader = "X-Reader-Google-Bad-Token";

    private CredentialResult? _result;

    /// <summary>Whether the request is for the Google Reader API, which only this scheme signs in.</summary>
    public static bool IsReaderRequest(HttpRequest request) => request.Path.StartsWithSegments("/reader");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = HeaderToken() ?? await FormTokenAsync();
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }
        _result = await check.CheckReaderTokenAsync(token, Context.Connection.RemoteIpAddress, Context.RequestAborted);
        return _result.User is { } user
            ? AuthenticateResult.Success(new AuthenticationTicket(AccountClaims.Principal(user, SchemeName), SchemeName))
            : AuthenticateResult.Fail("The Google Reader token is not valid.");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = _result?.Throttled == true ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
        Response.Headers[BadTokenHeader] = "true";
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync(_result?.Throttled == true ? "Too many failed sign-ins" : "Unauthorized");
    }

    private string? HeaderToken()
    {
        var header = Request.Headers.Authorization.ToString();
        const string prefix = "GoogleLogin ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        foreach (var part in header[prefix.Length..].Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("auth=", StringComparison.OrdinalIgnoreCase))
            {
                return part["auth=".Length..].Trim('"');
            }
        }
        return null;
    }

    private async Task<string?> FormTokenAsync()
    {
        if (!HttpMethods.IsPost(Request.Method) || !Request.HasFormContentType)
        {
            return null;
        }
        // Read case-sensitively (t is a title, T the token) from a buffered body the endpoint reads again.
        var parameters = await ReaderParameters.ReadAsync(Request, Context.RequestAborted);
        return parameters["T"] is { Length: > 0 } token ? token : null;
    }
}
