using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace App.Tests.Support;

/// <summary>A real App.Worker or App.Web process on a test database, with its output kept for failure messages.</summary>
public sealed class RunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    /// <summary>
    /// How long a test waits for a real process to do something. A process starts cold (runtime,
    /// JIT, migrations); on a shared machine whose load is many times its cores that alone took
    /// tens of seconds, so the wait is generous. It costs nothing when all goes well.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private RunningProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the process printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the worker built next to this test project (same configuration), with fast polling
    /// and private addresses allowed (test feeds are served on 127.0.0.1), and no scheduled backups
    /// (a backup job would be one more job in tests that count them). <paramref name="settings"/>
    /// are configuration keys such as "Queue:LeaseDuration".
    /// </summary>
    public static RunningProcess StartWorker(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Queue:PollInterval"] = "00:00:00.100",
            ["Queue:HeartbeatInterval"] = "00:00:00.500",
            ["Feeds:AllowPrivateAddresses"] = "true",
            ["Backup:Interval"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return Start("App.Worker", connectionString, environment);
    }

    /// <summary>
    /// Starts the web process built next to this test project, listening on a free port of
    /// 127.0.0.1 (see <see cref="WaitForUrlAsync"/>). <paramref name="settings"/> as for the worker.
    /// </summary>
    public static RunningProcess StartWeb(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return Start("App.Web", connectionString, environment);
    }

    /// <summary>The address the web process listens on, from its "Now listening on" line.</summary>
    public async Task<Uri> WaitForUrlAsync()
    {
        var line = await Eventually.GetAsync(
            () => Task.FromResult(HasExited
                ? throw new InvalidOperationException("the web process exited:\n" + Output)
                : Output.Split('\n').FirstOrDefault(l => l.Contains("Now listening on: ", StringComparison.Ordinal))),
            l => l is not null, TimeSpan.FromSeconds(60), "the web process to listen");
        return new Uri(line![line!.IndexOf("http", StringComparison.Ordinal)..].Trim());
    }

    /// <summary>
    /// Runs <c>App.Worker backup [path]</c> on the database, as a person would from the command line;
    /// wait for it with <see cref="WaitForExitAsync"/>.
    /// </summary>
    public static RunningProcess StartBackup(string connectionString, string? path = null) =>
        Start("App.Worker", connectionString, [], path is null ? ["backup"] : ["backup", path]);

    /// <summary>
    /// Runs <c>App.Worker copy-to-postgres --to <paramref name="target"/></c> on the install at
    /// <paramref name="source"/>, as a person would; wait for it with <see cref="WaitForExitAsync"/>.
    /// </summary>
    public static RunningProcess StartCopyToPostgres(string source, string target) =>
        Start("App.Worker", source, [], ["copy-to-postgres", "--to", target]);

    /// <summary>Waits for the process to exit by itself.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    private static RunningProcess Start(
        string project, string connectionString, Dictionary<string, string> settings, IReadOnlyList<string>? args = null)
    {
        var info = new ProcessStartInfo("dotnet", [Dll(project), .. args ?? []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.Environment["ConnectionStrings__Default"] = connectionString;
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__")] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var worker = new RunningProcess(process);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL: the process dies at once, leases and all.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a process manager stops it, then waits for the exit.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (SysKill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string Dll(string project)
    {
        // .../App.Tests/bin/<Configuration>/net10.0/ -> .../<project>/bin/<Configuration>/net10.0/<project>.dll
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, project, "bin", configuration, framework, project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} first", dll);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
