using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace App.Tests.Support;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4), as a scraper would reject it:
/// every line is a HELP, a TYPE, a comment or a well-formed sample; a family's TYPE comes before its
/// samples, once, and its samples are contiguous; no series appears twice; counters are not
/// negative; a histogram's buckets are cumulative, end with le="+Inf" equal to its _count, and come
/// with a _sum. Anything else throws <see cref="FormatException"/> naming the line.
/// </summary>
public sealed partial class PrometheusText
{
    private readonly Dictionary<string, string> _types = [];

    private PrometheusText(List<Sample> samples, Dictionary<string, string> types)
    {
        Samples = samples;
        _types = types;
    }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>A family's declared type (counter, gauge, histogram, summary, untyped).</summary>
    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    /// <summary>The one sample named <paramref name="name"/> whose labels include <paramref name="labels"/> ("k=v" pairs); null when none.</summary>
    public double? Value(string name, params string[] labels) =>
        Find(name, labels).Select(s => (double?)s.Value).SingleOrDefault();

    /// <summary>The sum over the samples named <paramref name="name"/> whose labels include <paramref name="labels"/> (0 when none).</summary>
    public double Sum(string name, params string[] labels) => Find(name, labels).Sum(s => s.Value);

    private IEnumerable<Sample> Find(string name, string[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l =>
        {
            var (key, value) = (l[..l.IndexOf('=')], l[(l.IndexOf('=') + 1)..]);
            return s.Labels.TryGetValue(key, out var v) && v == value;
        }));

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>();
        var helped = new HashSet<string>();
        var finished = new HashSet<string>();
        var series = new HashSet<string>();
        string? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            void Fail(string why) => throw new FormatException($"line {n + 1}: {why}: {line}");
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                var meta = Meta().Match(line);
                if (!meta.Success)
                {
                    continue;
                }
                var family = meta.Groups["name"].Value;
                if (meta.Groups["kind"].Value == "TYPE")
                {
                    var type = meta.Groups["rest"].Value;
                    if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        Fail("unknown type");
                    }
                    if (!types.TryAdd(family, type))
                    {
                        Fail("second TYPE");
                    }
                    if (samples.Any(s => FamilyOf(s.Name, types) == family))
                    {
                        Fail("TYPE after samples");
                    }
                }
                else if (!helped.Add(family))
                {
                    Fail("second HELP");
                }
                continue;
            }
            var sample = SampleLine().Match(line);
            if (!sample.Success)
            {
                Fail("not a sample");
            }
            var labels = new Dictionary<string, string>();
            foreach (Match label in Label().Matches(sample.Groups["labels"].Value))
            {
                if (!labels.TryAdd(label.Groups["key"].Value, Unescape(label.Groups["value"].Value)))
                {
                    Fail("label twice");
                }
            }
            if (Label().Replace(sample.Groups["labels"].Value, "").Trim(',', ' ').Length > 0)
            {
                Fail("malformed labels");
            }
            var name = sample.Groups["name"].Value;
            var value = ParseValue(sample.Groups["value"].Value) ?? throw new FormatException($"line {n + 1}: bad value: {line}");
            var familyName = FamilyOf(name, types);
            if (familyName != current)
            {
                if (current is not null)
                {
                    finished.Add(current);
                }
                if (finished.Contains(familyName))
                {
                    Fail("family not contiguous");
                }
                current = familyName;
            }
            var key = name + "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key))
            {
                Fail("series twice");
            }
            if (types.GetValueOrDefault(familyName) == "counter" && value < 0)
            {
                Fail("negative counter");
            }
            samples.Add(new Sample(name, labels, value));
        }
        CheckHistograms(samples, types);
        return new PrometheusText(samples, types);
    }

    private static void CheckHistograms(List<Sample> samples, Dictionary<string, string> types)
    {
        foreach (var family in types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var buckets = samples.Where(s => s.Name == family + "_bucket").ToList();
            foreach (var group in buckets.GroupBy(b => SeriesKey(b.Labels.Where(l => l.Key != "le"))))
            {
                var ordered = group.Select(b => (Le: ParseValue(b.Labels.GetValueOrDefault("le") ?? "") ?? throw new FormatException($"{family}: bucket without le"), b.Value))
                    .ToList();
                if (ordered.Select(b => b.Le).Zip(ordered.Select(b => b.Le).Skip(1)).Any(p => p.First >= p.Second))
                {
                    throw new FormatException($"{family}{{{group.Key}}}: buckets out of order");
                }
                if (ordered.Select(b => b.Value).Zip(ordered.Select(b => b.Value).Skip(1)).Any(p => p.First > p.Second))
                {
                    throw new FormatException($"{family}{{{group.Key}}}: buckets not cumulative");
                }
                if (ordered.Count == 0 || !double.IsPositiveInfinity(ordered[^1].Le))
                {
                    throw new FormatException($"{family}{{{group.Key}}}: no +Inf bucket");
                }
                var count = samples.SingleOrDefault(s => s.Name == family + "_count" && SeriesKey(s.Labels) == group.Key)
                    ?? throw new FormatException($"{family}{{{group.Key}}}: no _count");
                if (count.Value != ordered[^1].Value)
                {
                    throw new FormatException($"{family}{{{group.Key}}}: _count differs from the +Inf bucket");
                }
                if (!samples.Any(s => s.Name == family + "_sum" && SeriesKey(s.Labels) == group.Key))
                {
                    throw new FormatException($"{family}{{{group.Key}}}: no _sum");
                }
            }
        }
    }

    private static string SeriesKey(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    /// <summary>A histogram's or summary's samples (_bucket, _sum, _count) belong to the family they were typed under.</summary>
    private static string FamilyOf(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.GetValueOrDefault(name[..^suffix.Length]) is "histogram" or "summary")
            {
                return name[..^suffix.Length];
            }
        }
        return name;
    }

    private static double? ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
    };

    private static string Unescape(string value)
    {
        var result = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\')
            {
                result.Append(value[i]);
                continue;
            }
            i++;
            result.Append(value[i] switch
            {
                'n' => '\n',
                '\\' => '\\',
                '"' => '"',
                _ => throw new FormatException($"bad escape \\{value[i]} in a label value"),
            });
        }
        return result.ToString();
    }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex(@"^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) ?(?<rest>.*)$")]
    private static partial Regex Meta();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)( -?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex Label();
}
