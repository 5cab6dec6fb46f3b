using App.Data;
using App.Web.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Folders;

/// <summary><c>/folders</c>: the user's folders, to add, rename and delete (form posts that come back here).</summary>
public sealed class FolderManageModel(IDbContextFactory<AppDbContext> contexts, FolderEdits edits) : PageModel
{
    public IReadOnlyList<FolderResponse> Folders { get; private set; } = [];

    /// <summary>Why the last add or rename was refused, at the form.</summary>
    public string? Error { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        Folders = await FolderQueries.ListAsync(db, User.UserId(), ct);
    }

    public async Task<IActionResult> OnPostAddAsync(string? name, CancellationToken ct)
    {
        if (FolderEdits.Normalize(name, out var error) is not { } folder)
        {
            return await RefusedAsync(error, ct);
        }
        if (await edits.AddAsync(User.UserId(), folder, ct) is null)
        {
            return await RefusedAsync($"You have a folder named “{folder}” already.", ct);
        }
        Message = $"Added “{folder}”.";
        return Redirect("/folders");
    }

    public async Task<IActionResult> OnPostRenameAsync(long id, string? name, CancellationToken ct)
    {
        if (FolderEdits.Normalize(name, out var error) is not { } folder)
        {
            return await RefusedAsync(error, ct);
        }
        switch (await edits.RenameAsync(User.UserId(), id, folder, ct))
        {
            case FolderEditOutcome.NotFound:
                return NotFound();
            case FolderEditOutcome.NameTaken:
                return await RefusedAsync($"You have a folder named “{folder}” already.", ct);
        }
        Message = $"Renamed to “{folder}”.";
        return Redirect("/folders");
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (!await edits.DeleteAsync(User.UserId(), id, ct))
        {
            return NotFound();
        }
        Message = "Deleted the folder; its feeds are in no folder now.";
        return Redirect("/folders");
    }

    private async Task<IActionResult> RefusedAsync(string error, CancellationToken ct)
    {
        Error = error;
        await OnGetAsync(ct);
        return Page();
    }
}
