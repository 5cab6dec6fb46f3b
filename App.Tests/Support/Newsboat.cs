using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace App.Tests.Support;

/// <summary>
/// Debian's newsboat (2.21) as a Google Reader client of a running web (its <c>feedhq</c> mode,
/// which speaks the protocol to any server): a config of its own in a temp folder, <c>-x reload</c>
/// to sync, its SQLite cache to read what it holds, and its terminal UI in tmux for what no
/// <c>-x</c> command does (marking an article read).
/// </summary>
public sealed class Newsboat : IDisposable
{
    private readonly string _folder;
    private readonly string _session;

    private Newsboat(string folder)
    {
        _folder = folder;
        _session = "nb-" + Path.GetFileName(folder);
    }

    /// <summary>Where Debian's package puts it; <c>NEWSBOAT_PATH</c> overrides.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("NEWSBOAT_PATH") is { Length: > 0 } path ? path : "/usr/bin/newsboat";

    public string CachePath => Path.Combine(_folder, "cache.db");

    public string LogPath => Path.Combine(_folder, "newsboat.log");

    /// <summary>A newsboat configured for <paramref name="baseUrl"/> with <paramref name="username"/> and an API key as its password.</summary>
    public static Newsboat Configure(string baseUrl, string username, string apiKey)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException("The Google Reader client tests need newsboat: apt-get install -y newsboat tmux (or set NEWSBOAT_PATH)", ExecutablePath);
        }
        var folder = Path.Combine(Path.GetTempPath(), "app-tests", "newsboat-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config"), $"""
            urls-source "feedhq"
            feedhq-url "{baseUrl}"
            feedhq-login "{username}"
            feedhq-password "{apiKey}"
            feedhq-show-special-feeds "no"
            feedhq-min-items 100
            show-read-feeds yes
            show-read-articles yes
            """);
        File.WriteAllText(Path.Combine(folder, "urls"), "");
        return new Newsboat(folder);
    }

    /// <summary><c>newsboat -x reload</c>: logs in, lists the subscriptions and fetches each as Atom into its cache.</summary>
    public async Task ReloadAsync()
    {
        using var process = Process.Start(Start(["-x", "reload"])) ?? throw new InvalidOperationException("newsboat did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"newsboat -x reload exited {process.ExitCode}: {await output} {await errors}\n{Log()}");
    }

    /// <summary>The articles in newsboat's cache: guid, title, unread.</summary>
    public List<(string Guid, string Title, bool Unread)> Articles()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = CachePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT guid, title, unread FROM rss_item ORDER BY guid";
        using var reader = command.ExecuteReader();
        var articles = new List<(string, string, bool)>();
        while (reader.Read())
        {
            articles.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0));
        }
        return articles;
    }

    /// <summary>Starts newsboat's UI in a detached tmux session, ready when <paramref name="ready"/> shows on its screen.</summary>
    public async Task OpenUiAsync(string ready)
    {
        var command = string.Join(' ', new[] { ExecutablePath }.Concat(Arguments([])).Select(Quote));
        Tmux("new-session", "-d", "-s", _session, "-x", "160", "-y", "40", $"env HOME={Quote(_folder)} TERM=xterm {command}");
        await ScreenAsync(ready);
    }

    /// <summary>Presses keys in the UI (tmux key names: Enter, N, q …).</summary>
    public void Press(params string[] keys) => Tmux(["send-keys", "-t", _session, .. keys]);

    /// <summary>Waits until the UI's screen shows <paramref name="text"/>; returns the screen.</summary>
    public Task<string> ScreenAsync(string text) =>
        Eventually.GetAsync(() => Task.FromResult(Tmux("capture-pane", "-p", "-t", _session)), s => s.Contains(text, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), $"newsboat to show '{text}'");

    public string Log() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no log)";

    public void Dispose()
    {
        try
        {
            Tmux("kill-session", "-t", _session);
        }
        catch (InvalidOperationException)
        {
            // No session was started, or it has ended.
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    private string[] Arguments(string[] more) =>
        ["-C", Path.Combine(_folder, "config"), "-u", Path.Combine(_folder, "urls"), "-c", CachePath, "-l", "6", "-d", LogPath, .. more];

    private ProcessStartInfo Start(string[] more)
    {
        var info = new ProcessStartInfo(ExecutablePath, Arguments(more))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        info.Environment["HOME"] = _folder;
        return info;
    }

    private static string Tmux(params string[] arguments)
    {
        var info = new ProcessStartInfo("tmux", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("tmux did not start");
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: {errors}");
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
