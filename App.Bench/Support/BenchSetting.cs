using System.Globalization;

namespace App.Bench.Support;

/// <summary>
/// The environment variables that make a shorter bench run (BENCH_QUEUE_ROWS, BENCH_PG_WORKERS, …),
/// for alternating two builds or profiling one worker; unset, a section runs as documented.
/// </summary>
public static class BenchSetting
{
    /// <summary>The variable as a number, or <paramref name="fallback"/> when unset.</summary>
    public static int Int(string name, int fallback) =>
        Text(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The variable's comma-separated items, or null when unset.</summary>
    public static string[]? List(string name) =>
        Text(name)?.Split(',', StringSplitOptions.TrimEntries);

    /// <summary>The variable as it is, or null when unset.</summary>
    public static string? Text(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>The variable's comma-separated numbers, or null when unset.</summary>
    public static int[]? Ints(string name) =>
        List(name)?.Select(item => int.Parse(item, CultureInfo.InvariantCulture)).ToArray();
}
