using System.Globalization;

namespace App.Bench.Support;

/// <summary>One reading of a process's memory from /proc/&lt;pid&gt;/status, in KiB.</summary>
public sealed record MemorySample(long VmRSS, long VmHWM, long RssAnon, long RssFile, long RssShmem)
{
    /// <summary>Resident memory by kind: heaps and stacks (anon), mapped files (assemblies, native libraries), shared (the runtime's double-mapped JIT code).</summary>
    public string Breakdown => string.Create(CultureInfo.InvariantCulture,
        $"RSS {VmRSS / 1024.0:0} MB = anon {RssAnon / 1024.0:0} + file {RssFile / 1024.0:0} + shmem {RssShmem / 1024.0:0}");

    public static MemorySample Of(int pid)
    {
        var fields = new Dictionary<string, long>();
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.EndsWith(" kB", StringComparison.Ordinal))
            {
                fields[line[..colon]] = long.Parse(line[(colon + 1)..^3].Trim(), CultureInfo.InvariantCulture);
            }
        }
        return new MemorySample(
            fields.GetValueOrDefault("VmRSS"), fields.GetValueOrDefault("VmHWM"),
            fields.GetValueOrDefault("RssAnon"), fields.GetValueOrDefault("RssFile"), fields.GetValueOrDefault("RssShmem"));
    }
}
