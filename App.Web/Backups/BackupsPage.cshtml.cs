using System.Globalization;
using App.Data;
using App.Data.Backups;
using App.Data.Queue;
using App.Data.Writes;
using App.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace App.Web.Backups;

/// <summary>
/// <c>/backups</c>, for administrators: the last backups with their size and outcome, the snapshots
/// on disk, and a backup now (a <c>backup</c> job, which a worker takes).
/// </summary>
[Authorize(Policy = AccountsSetup.AdminPolicy)]
public sealed class BackupsPageModel(
    IDbContextFactory<AppDbContext> contexts,
    WriteLane lane,
    JobQueue queue,
    DatabaseBackup backup,
    IOptions<BackupOptions> options) : PageModel
{
    /// <summary>How many runs the page lists.</summary>
    public const int Shown = 20;

    public IReadOnlyList<Backup> Runs { get; private set; } = [];

    /// <summary>The newest run that succeeded, if any.</summary>
    public Backup? LastGood { get; private set; }

    /// <summary>The backup job waiting or running now, if any.</summary>
    public Job? Live { get; private set; }

    public IReadOnlyList<FileInfo> Snapshots { get; private set; } = [];

    public string Directory => backup.Directory;

    /// <summary>Why the app cannot back this database up (PostgreSQL), or null.</summary>
    public string? Unavailable => backup.Unavailable;

    public BackupOptions Options => options.Value;

    [TempData]
    public string? Message { get; set; }

    /// <summary>The job a "back up now" queued or found (text: TempData keeps strings and ints only).</summary>
    [TempData]
    public string? QueuedJobId { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        Runs = await db.Backups.AsNoTracking().OrderByDescending(b => b.Id).Take(Shown).ToListAsync(ct);
        LastGood = Runs.FirstOrDefault(r => r.Succeeded)
            ?? await db.Backups.AsNoTracking().Where(b => b.Error == null).OrderByDescending(b => b.Id).FirstOrDefaultAsync(ct);
        Live = await BackupJobs.LiveAsync(db, ct);
        Snapshots = Unavailable is null ? backup.Snapshots() : [];
    }

    /// <summary>Queues a backup now, unless one is queued or running already.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Unavailable is not null)
        {
            // The page says why; nothing is queued that no worker could run.
            return Redirect("/backups");
        }
        var (jobId, created) = await BackupJobs.EnqueueNowAsync(lane, queue, ct);
        Message = created ? "A backup is queued: a worker takes it within seconds." : "A backup is queued or running already.";
        QueuedJobId = jobId.ToString(CultureInfo.InvariantCulture);
        return Redirect("/backups");
    }

    /// <summary>A size as people read it: 1.4 MB.</summary>
    public static string Size(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "–";
        }
        string[] units = ["bytes", "KB", "MB", "GB", "TB"];
        var size = (double)value;
        var unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }
        return unit == 0
            ? $"{value} bytes"
            : string.Create(CultureInfo.InvariantCulture, $"{size:0.#} {units[unit]}");
    }
}
