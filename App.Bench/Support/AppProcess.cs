using System.Diagnostics;

namespace App.Bench.Support;

/// <summary>A web or worker process of the app built next to the bench, on a bench database.</summary>
public sealed class AppProcess : IDisposable
{
    private readonly Process _process;

    private AppProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static AppProcess Start(string project, string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var info = new ProcessStartInfo("dotnet", [Dll(project)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.Environment["ConnectionStrings__Default"] = connectionString;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // A scheduled backup would be one more job, and a burst of reads, in the middle of a measurement.
        info.Environment["Backup__Interval"] = "00:00:00";
        if (project == "App.Worker" && Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null)
        {
            // As the Procfile starts it (docs/feeds.md: two malloc arenas, ~20 MB less peak RSS);
            // set in the bench's environment, it is passed on instead (to compare).
            info.Environment["MALLOC_ARENA_MAX"] = "2";
        }
        // BENCH_WORKER_ENV="DOTNET_TieredPGO=0;Feeds__FetchConcurrency=128": to compare settings of the workers alone.
        if (project == "App.Worker" && Environment.GetEnvironmentVariable("BENCH_WORKER_ENV") is { } extra)
        {
            foreach (var pair in extra.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=');
                info.Environment[pair[..equals]] = pair[(equals + 1)..];
            }
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key.Replace(":", "__")] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[{project} {process.Id}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AppProcess(process);
    }

    /// <summary>CPU time (user + system) the process used so far, from /proc.</summary>
    public TimeSpan CpuTime()
    {
        var fields = File.ReadAllText($"/proc/{Pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the command name: state is field 3, utime 14, stime 15 (1-based) => index 11 and 12 here.
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>Peak resident memory (VmHWM) in MiB.</summary>
    public double PeakMemoryMiB()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
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

    /// <summary>The dll of <paramref name="project"/> in its own build output (same configuration as the bench), with its own runtime config.</summary>
    public static string Dll(string project)
    {
        // .../App.Bench/bin/<Configuration>/net10.0/ -> .../<project>/bin/<Configuration>/net10.0/<project>.dll
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = bin.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(root, project, "bin", bin.Parent.Name, bin.Name, project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} first", dll);
    }

    private const int ClockTicksPerSecond = 100;
}
