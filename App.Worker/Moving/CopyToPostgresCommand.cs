using System.Globalization;
using App.Data;
using App.Data.Moving;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Worker.Moving;

/// <summary>
/// <c>App.Worker copy-to-postgres --to "Host=…;Database=…;Username=…" [--from "Data Source=…"]</c>:
/// copies the SQLite install (<c>ConnectionStrings:Default</c>, or <c>--from</c>) into an empty
/// PostgreSQL database and prints what it copied. Exit code 0 when the copy is committed, 1 when
/// it was refused or failed (the target then holds no data), 2 for a command line without <c>--to</c>.
/// </summary>
public static class CopyToPostgresCommand
{
    public const string Verb = "copy-to-postgres";

    private const string To = "--to";
    private const string From = "--from";

    /// <summary>Whether the command line asks for the copy rather than the worker.</summary>
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    /// <summary>
    /// The configuration part of the arguments: everything but the verb and its options, with
    /// <c>--from</c> standing for <c>ConnectionStrings:Default</c>, so that the host opens (and migrates) that file.
    /// </summary>
    public static string[] ConfigurationArgs(string[] args)
    {
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is To or From)
            {
                i++;
            }
            else if (!args[i].StartsWith(To + "=", StringComparison.Ordinal) && !args[i].StartsWith(From + "=", StringComparison.Ordinal))
            {
                rest.Add(args[i]);
            }
        }
        if (ValueOf(args, From) is { } from)
        {
            rest.Add($"--ConnectionStrings:Default={from}");
        }
        return [.. rest];
    }

    /// <summary>Runs the copy and prints its report (or why not); returns the exit code.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, IConfiguration configuration, string[] args)
    {
        if (ValueOf(args, To) is not { Length: > 0 } to)
        {
            await Console.Error.WriteLineAsync(
                $"Usage: App.Worker {Verb} --to \"Host=…;Database=…;Username=…;Password=…\" [--from \"Data Source=path/app.db\"]");
            return 2;
        }
        try
        {
            RefuseUnlessPostgres(to);
            var source = await SourcePathAsync(services, configuration);
            // The copy is of the current schema: an install from an older release is brought up to
            // date first, as every process does at start.
            await DatabaseSetup.MigrateAsync(services);
            var target = new NpgsqlConnectionStringBuilder(to);
            Console.WriteLine($"Copying {source} into the PostgreSQL database \"{target.Database}\" on {target.Host}…");
            var copy = new SqliteToPostgresCopy(TimeProvider.System);
            var report = await copy.RunAsync($"Data Source={source}", to, line => Console.WriteLine("  " + line));
            Print(report);
            return 0;
        }
        catch (CopyRefusedException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync(
                $"The copy failed and was rolled back: the PostgreSQL database holds no copied data (its schema may have been created). {e.Message}");
            return 1;
        }
    }

    private static void Print(CopyReport report)
    {
        var seconds = report.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine($"Copied {report.TotalRows:N0} rows in {report.Tables.Count} tables in {seconds} s; the row count of every table matches on both sides.");
        if (report.RunningJobsHandedBack > 0)
        {
            Console.WriteLine($"{report.RunningJobsHandedBack} jobs that were running are pending again (due now, their attempt refunded), for the workers on PostgreSQL to claim.");
        }
        foreach (var table in report.NotCopied.Where(t => t.Rows > 0))
        {
            Console.WriteLine($"Not copied: {table.Name} ({table.Rows:N0} rows; the worker processes on PostgreSQL register themselves).");
        }
        Console.WriteLine("Point ConnectionStrings:Default of the web and the workers at the PostgreSQL database to run on it.");
    }

    private static void RefuseUnlessPostgres(string to)
    {
        var engine = (DatabaseEngine?)null;
        try
        {
            engine = DatabaseEngines.Choose(to, null);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // Said below, in the copy's words.
        }
        if (engine != DatabaseEngine.Postgres)
        {
            throw new CopyRefusedException(
                $"{To} must name a PostgreSQL database (\"Host=…;Database=…;Username=…;Password=…\"); it does not. Nothing was copied.");
        }
    }

    /// <summary>The SQLite file to copy, which must exist (opening a missing one would create an empty install).</summary>
    private static async Task<string> SourcePathAsync(IServiceProvider services, IConfiguration configuration)
    {
        if (DatabaseSetup.EngineOf(configuration) != DatabaseEngine.Sqlite)
        {
            throw new CopyRefusedException(
                $"The install to copy is not a SQLite one (ConnectionStrings:Default names a PostgreSQL database). " +
                $"Give the SQLite file with {From} \"Data Source=path/app.db\". Nothing was copied.");
        }
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var path = Path.GetFullPath(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource);
        return File.Exists(path)
            ? path
            : throw new CopyRefusedException($"There is no SQLite database at {path}. Nothing was copied.");
    }

    private static string? ValueOf(string[] args, string option)
    {
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == option && i + 1 < args.Length)
            {
                return args[i + 1];
            }
            if (args[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                return args[i][(option.Length + 1)..];
            }
        }
        return null;
    }
}
