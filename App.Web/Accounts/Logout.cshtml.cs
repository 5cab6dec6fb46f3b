using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace App.Web.Accounts;

/// <summary><c>/logout</c>: a form post (with its antiforgery token) that ends the session; a GET only offers the button.</summary>
[AllowAnonymous]
public sealed class LogoutModel : PageModel
{
    [TempData]
    public string? Message { get; set; }

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Page() : Redirect("/login");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        Message = "You are signed out.";
        return Redirect("/login");
    }
}
