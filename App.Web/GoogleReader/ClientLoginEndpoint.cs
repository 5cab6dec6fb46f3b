using System.Text.Json;
using App.Web.Accounts;

namespace App.Web.GoogleReader;

/// <summary>
/// <c>/accounts/ClientLogin</c>: <c>Email</c> is the username, <c>Passwd</c> one of the user's API
/// keys (never the sign-in password). The answer is Google's plain text <c>SID=…</c>,
/// <c>LSID=…</c>, <c>Auth=…</c> lines (newsboat and NetNewsWire read the <c>Auth</c> line), or JSON
/// with <c>output=json</c> (Read You). Failed attempts are throttled like every sign-in.
/// </summary>
public static class ClientLoginEndpoint
{
    public static IEndpointRouteBuilder MapClientLogin(this IEndpointRouteBuilder app)
    {
        // GET as well: some clients (and FreshRSS) accept the parameters in the query string.
        app.MapMethods("/accounts/ClientLogin", [HttpMethods.Post, HttpMethods.Get], LoginAsync)
            .AllowAnonymous()
            .WithTags("Google Reader")
            .ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> LoginAsync(HttpContext http, CredentialCheck credentials, CancellationToken ct)
    {
        var p = await ReaderParameters.ReadAsync(http.Request, ct);
        if (p["Email"] is not { Length: > 0 } username || p["Passwd"] is not { Length: > 0 } key)
        {
            return Refused(StatusCodes.Status401Unauthorized);
        }
        var (result, owner) = await credentials.CheckKeyOfUserAsync(username.Trim(), key.Trim(), http.Connection.RemoteIpAddress, ct);
        if (result.Throttled)
        {
            return Refused(StatusCodes.Status429TooManyRequests);
        }
        if (owner is null)
        {
            return Refused(StatusCodes.Status401Unauthorized);
        }
        var token = ReaderTokens.Issue(owner.User.Username, owner.KeyId, owner.KeyHash);
        return p.WantsJson
            ? Results.Json(new Dictionary<string, string> { ["SID"] = token, ["LSID"] = token, ["Auth"] = token },
                new JsonSerializerOptions())
            : Results.Text($"SID={token}\nLSID={token}\nAuth={token}\n", "text/plain; charset=utf-8");
    }

    // Google's own answer to a wrong login, which clients recognise.
    private static IResult Refused(int status) =>
        Results.Text("Error=BadAuthentication\n", "text/plain; charset=utf-8", statusCode: status);
}
