using System.Globalization;
using System.Security.Claims;
using App.Data.Accounts;

namespace App.Web.Accounts;

/// <summary>Who is signed in, as the request's <see cref="ClaimsPrincipal"/> carries it.</summary>
public static class AccountClaims
{
    public const string AdminRole = "admin";

    /// <summary>The <see cref="User.SecurityStamp"/> a session cookie was issued with.</summary>
    public const string StampClaim = "stamp";

    public static ClaimsPrincipal Principal(User user, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Username),
            new(StampClaim, user.SecurityStamp),
        };
        if (user.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The signed-in user's id; only for requests that passed authorization.</summary>
    public static long UserId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The request has no signed-in user."), CultureInfo.InvariantCulture);

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.IsInRole(AdminRole);
}
