using App.Data.Backups;

namespace App.Worker.Backups;

/// <summary>
/// <c>App.Worker backup [path]</c>: one backup from the command line, while the app runs or not,
/// recorded like the scheduled ones. Without a path it goes to <c>Backup:Directory</c> (and old
/// ones are pruned); with one, to that file (or into that folder).
/// </summary>
public static class BackupCommand
{
    public const string Verb = "backup";

    /// <summary>Whether the command line asks for a backup rather than the worker.</summary>
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    /// <summary>The configuration part of the arguments (what follows the verb and its optional path).</summary>
    public static string[] ConfigurationArgs(string[] args) => [.. args.Skip(PathOf(args) is null ? 1 : 2)];

    /// <summary>Takes the backup, prints where it went (or why not); the exit code is 0 on success.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var backup = services.GetRequiredService<DatabaseBackup>();
        if (backup.Unavailable is { } reason)
        {
            // Not recorded as a failed backup: readiness would report the install degraded for it.
            await Console.Error.WriteLineAsync(reason);
            return 1;
        }
        var outcome = await backup.TakeAsync(BackupTrigger.CommandLine, PathOf(args));
        try
        {
            await backup.RecordAsync(outcome);
        }
        catch (Exception e)
        {
            // The snapshot (if any) is written; only its record is missing.
            await Console.Error.WriteLineAsync($"The backup could not be recorded in the database: {e.Message}");
        }
        if (!outcome.Succeeded)
        {
            await Console.Error.WriteLineAsync($"Backup failed: {outcome.Error}");
            return 1;
        }
        Console.WriteLine($"Backup written to {outcome.Path} ({outcome.SizeBytes} bytes)");
        return 0;
    }

    // A path is any second argument that is not a configuration switch (--Key=value or --Key value).
    private static string? PathOf(string[] args) => args.Length > 1 && !args[1].StartsWith('-') ? args[1] : null;
}
