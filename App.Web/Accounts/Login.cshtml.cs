using App.Web.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace App.Web.Accounts;

/// <summary>
/// <c>/login</c>: the sign-in form. Success sets the session cookie and goes back to
/// <c>returnUrl</c> when it is local (never to another site), else to <c>/</c>. Failed attempts
/// are throttled per username and per client address.
/// </summary>
[AllowAnonymous]
public sealed class LoginModel(CredentialCheck credentials) : PageModel
{
    [BindProperty(Name = "username")]
    public string? Username { get; set; }

    [BindProperty(Name = "password")]
    public string? Password { get; set; }

    [BindProperty(Name = "returnUrl", SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the last attempt failed, for everyone to read (one message, whichever part was wrong).</summary>
    public string? Problem { get; private set; }

    /// <summary>Shown once after signing out or a password change.</summary>
    [TempData]
    public string? Message { get; set; }

    public IActionResult OnGet() =>
        User.Identity?.IsAuthenticated == true ? LocalRedirect(Destination) : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password))
        {
            Problem = "Enter your username and password.";
            return Page();
        }
        var result = credentials.CheckPassword(Username.Trim(), Password, HttpContext.Connection.RemoteIpAddress);
        if (result.Throttled)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Problem = $"Too many failed sign-ins. Try again in {Math.Max(1, (int)Math.Ceiling(result.RefusedFor!.Value.TotalMinutes))} minute(s).";
            return Page();
        }
        if (result.User is not { } user)
        {
            Problem = "Wrong username or password.";
            return Page();
        }
        var principal = AccountClaims.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal,
            new AuthenticationProperties { IsPersistent = true });
        return LocalRedirect(Destination);
    }

    private string Destination => Url.IsLocalUrl(ReturnUrl) && !ReturnUrl!.StartsWith("/login", StringComparison.OrdinalIgnoreCase) ? ReturnUrl : "/";
}
