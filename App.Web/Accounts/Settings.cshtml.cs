using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace App.Web.Accounts;

/// <summary><c>/settings</c>: the signed-in user's password and API keys.</summary>
public sealed class SettingsModel(UserAccounts accounts, ApiKeyStore keys) : PageModel
{
    [BindProperty]
    [Display(Name = "Current password")]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    [Display(Name = "New password")]
    public string? NewPassword { get; set; }

    [BindProperty]
    [Display(Name = "New password again")]
    public string? ConfirmPassword { get; set; }

    [BindProperty]
    [Display(Name = "Name of the new key")]
    public string? KeyName { get; set; }

    public IReadOnlyList<ApiKeyResponse> Keys { get; private set; } = [];

    /// <summary>A key just created: shown on this response only, never again.</summary>
    public NewApiKeyResponse? NewKey { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Keys = await keys.ListAsync(User.UserId(), ct);

    /// <summary>Changes the password after confirming the current one; every other session ends with it.</summary>
    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken ct)
    {
        if (NewPassword != ConfirmPassword)
        {
            ModelState.AddModelError(nameof(ConfirmPassword), "The two new passwords differ.");
        }
        else if (await accounts.ChangeOwnPasswordAsync(User.UserId(), CurrentPassword, NewPassword, ct) is { } problem)
        {
            ModelState.AddModelError(problem.StartsWith("The current", StringComparison.Ordinal) ? nameof(CurrentPassword) : nameof(NewPassword), problem);
        }
        else
        {
            // The session cookie carries the old security stamp: sign in again with the new password.
            TempData["Message"] = "Your password is changed. Sign in with the new one.";
            return Redirect("/login");
        }
        await OnGetAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateKeyAsync(CancellationToken ct)
    {
        var (key, problem) = await keys.CreateAsync(User.UserId(), KeyName, ct);
        if (key is null)
        {
            ModelState.AddModelError(nameof(KeyName), problem!);
        }
        else
        {
            NewKey = key;
            KeyName = null;
            ModelState.Clear();
        }
        await OnGetAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeKeyAsync(long id, CancellationToken ct)
    {
        if (!await keys.RevokeAsync(User.UserId(), id, ct))
        {
            return NotFound();
        }
        Message = "The key is revoked: apps using it are signed out.";
        return Redirect("/settings");
    }
}
