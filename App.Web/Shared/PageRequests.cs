namespace App.Web.Shared;

/// <summary>How page handlers tell a script's fetch() from a plain form post.</summary>
public static class PageRequests
{
    /// <summary>
    /// True when the caller asked for JSON: the page scripts send <c>Accept: application/json</c>
    /// and get a small JSON answer; a form post without JS gets a redirect or a page.
    /// </summary>
    public static bool WantsJson(this HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("application/json", StringComparison.OrdinalIgnoreCase));

}
