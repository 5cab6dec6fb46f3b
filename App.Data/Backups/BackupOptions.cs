using System.ComponentModel.DataAnnotations;

namespace App.Data.Backups;

/// <summary>Settings under <c>Backup:</c>.</summary>
public sealed class BackupOptions
{
    public const string Section = "Backup";

    /// <summary>
    /// Where snapshots are written; a relative path is taken from the database file's folder.
    /// Default: a <c>backups</c> folder next to the database file.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>How many snapshots are kept in <see cref="Directory"/>; older ones are deleted after each backup.</summary>
    [Range(1, 10000)]
    public int Keep { get; set; } = 7;

    /// <summary>How often the workers take a backup; zero turns the schedule off (on demand and the command line still work).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);
}
