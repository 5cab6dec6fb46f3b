using System.ComponentModel.DataAnnotations;
using App.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Accounts;

/// <summary>
/// <c>/users</c>, for administrators: every user, adding one, setting a user's password (for one
/// who forgot theirs), and deleting one with all that is theirs.
/// </summary>
[Authorize(Policy = AccountsSetup.AdminPolicy)]
public sealed class UsersPageModel(IDbContextFactory<AppDbContext> contexts, UserAccounts accounts) : PageModel
{
    /// <summary>A user in the list, with how much is theirs.</summary>
    public sealed record Row(long Id, string Username, bool IsAdmin, bool HasPassword, DateTime CreatedAt, int Subscriptions, int Keys);

    [BindProperty]
    [Display(Name = "Username")]
    public string? NewUsername { get; set; }

    [BindProperty]
    [Display(Name = "Password")]
    public string? NewPassword { get; set; }

    [BindProperty]
    [Display(Name = "Administrator")]
    public bool NewIsAdmin { get; set; }

    public IReadOnlyList<Row> Users { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        Users = await db.Users.OrderBy(u => u.Id)
            .Select(u => new Row(
                u.Id, u.Username, u.IsAdmin, u.PasswordHash != null, u.CreatedAt,
                db.Subscriptions.Count(s => s.UserId == u.Id), db.ApiKeys.Count(k => k.UserId == u.Id)))
            .ToListAsync(ct);
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        var change = await accounts.CreateAsync(NewUsername, NewPassword, NewIsAdmin, ct);
        if (change.User is not { } user)
        {
            ModelState.AddModelError(change.Conflict || AccountRules.UsernameProblem(NewUsername?.Trim()) is not null ? nameof(NewUsername) : nameof(NewPassword), change.Problem!);
            await OnGetAsync(ct);
            return Page();
        }
        Message = $"Added {(user.IsAdmin ? "the administrator" : "the user")} “{user.Username}”.";
        return Redirect("/users");
    }

    /// <summary>Gives a user a new password; their sessions end (their API keys keep working).</summary>
    public async Task<IActionResult> OnPostPasswordAsync(long id, string? password, CancellationToken ct)
    {
        Message = await accounts.SetPasswordAsync(id, password, ct) is { } problem
            ? $"The password was not changed: {problem}"
            : "The password is changed.";
        return Redirect("/users");
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (id == User.UserId())
        {
            Message = "You cannot delete your own account.";
        }
        else
        {
            Message = await accounts.DeleteAsync(id, ct) ? "The user and all that was theirs are deleted." : "There is no such user.";
        }
        return Redirect("/users");
    }
}
