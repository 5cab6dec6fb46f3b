using System.Globalization;
using System.Text;

namespace App.Bench;

/// <summary>One measured figure. <see cref="Ratio"/> compares it with a reference measured in the same run, when there is one.</summary>
public sealed record BenchRow(string Section, string Metric, string Value, string? Ratio = null, string? Note = null);

/// <summary>Renders rows as the markdown table the bench prints and stores in docs/benchmarks.md.</summary>
public static class BenchTable
{
    public static string Markdown(IEnumerable<BenchRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| section | metric | value | ratio to reference | note |");
        text.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Section} | {r.Metric} | {r.Value} | {r.Ratio ?? ""} | {r.Note ?? ""} |");
        }
        return text.ToString();
    }
}

/// <summary>Order statistics over samples.</summary>
public static class Stats
{
    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyList<double> samples) => Percentile(samples, 50);
}
