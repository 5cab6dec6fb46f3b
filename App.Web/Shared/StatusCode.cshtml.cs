using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace App.Web.Shared;

/// <summary>
/// The page shown for an empty error response outside <c>/api</c>, re-executed by the status code
/// pages middleware. It has no handler methods, so it renders for whatever method the failed request had.
/// </summary>
[AllowAnonymous] // an error on the sign-in page (a stale form) is shown to someone not signed in
[IgnoreAntiforgeryToken] // a re-executed POST keeps its method; its token was checked, or refused, already
public sealed class StatusCodeModel : PageModel
{
    public int Code => Convert.ToInt32(RouteData.Values["code"], CultureInfo.InvariantCulture);

    public string Title => Code switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status405MethodNotAllowed => "Method not allowed",
        StatusCodes.Status507InsufficientStorage => "The disk is full",
        _ => $"Error {Code}",
    };

    public string Detail => Code switch
    {
        StatusCodes.Status400BadRequest => "The request could not be understood. If you sent a form, reload the page and try again.",
        StatusCodes.Status404NotFound => "There is nothing at this address.",
        StatusCodes.Status405MethodNotAllowed => "This address does not accept that kind of request.",
        StatusCodes.Status507InsufficientStorage => DiskFullResponses.Detail,
        _ => "Something went wrong.",
    };
}
