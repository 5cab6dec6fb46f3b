using System.ComponentModel.DataAnnotations;
using App.Data;
using App.Data.Retention;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Accounts;

/// <summary><c>/settings</c>: the signed-in user's password and API keys; for an administrator, the database's storage.</summary>
public sealed class SettingsModel(
    UserAccounts accounts, ApiKeyStore keys, IDbContextFactory<AppDbContext> contexts, ItemPurge purge) : PageModel
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

    /// <summary>The database's size and the item purge's figures; administrators only.</summary>
    public StorageFigures? Storage { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Keys = await keys.ListAsync(User.UserId(), ct);
        if (User.IsAdmin())
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            Storage = new StorageFigures(
                await DatabaseSize.ReadAsync(db, ct), await purge.CountDueAsync(StorageFigures.DueCountCap, ct), await ItemPurge.LastRunAsync(db, ct));
        }
    }

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

/// <summary>What the settings page shows an administrator about storage.</summary>
public sealed record StorageFigures(DatabaseSize Size, int DueForPurge, ItemPurgeRun? LastPurge)
{
    /// <summary>The page counts the next purge's items up to this many, and says "at least" when it gets there.</summary>
    public const int DueCountCap = 10_000;
}
