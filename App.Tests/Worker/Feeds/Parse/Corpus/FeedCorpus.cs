using System.Globalization;
using System.Text;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;

namespace App.Tests.Worker.Feeds.Parse.Corpus;

/// <summary>
/// What a fixture must give: "ok" with an item count and the first item's title, link and
/// published date ("-": none), or "error:" and the start of the error message.
/// </summary>
public sealed record FixtureExpectation(
    string File, string? Charset, string Outcome, int Items, string? FirstTitle, string? FirstLink, DateTime? FirstPublished)
{
    public bool IsError => Outcome.StartsWith("error:", StringComparison.Ordinal);

    public string ErrorPrefix => Outcome["error:".Length..];

    public override string ToString() => File;
}

/// <summary>
/// The fixture corpus under Feeds/Fixtures and its expectations table (expectations.tsv). Also
/// compiled into App.Bench, whose parser comparison reads the same corpus.
/// </summary>
public static class FeedCorpus
{
    /// <summary>The address every fixture is parsed as coming from; relative links resolve against it.</summary>
    public static readonly Uri FeedUrl = new("https://feeds.example.net/path/feed.xml");

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Feeds", "Fixtures");

    public static IReadOnlyList<FixtureExpectation> Expectations { get; } = Load();

    public static FixtureExpectation Expectation(string file) => Expectations.Single(e => e.File == file);

    public static byte[] Bytes(string file) => System.IO.File.ReadAllBytes(Path.Combine(Folder, file));

    public static FetchedDocument Document(string file, string? charset = null) =>
        new(Bytes(file), MediaTypeOf(file), charset ?? Expectations.FirstOrDefault(e => e.File == file)?.Charset, FeedUrl);

    /// <summary>Our parser's reading of a fixture.</summary>
    public static ParsedFeed Parse(string file) => new FeedParser().Parse(Document(file));

    private static string MediaTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".json" => "application/feed+json",
        ".html" => "text/html",
        _ => "application/xml",
    };

    private static List<FixtureExpectation> Load()
    {
        var rows = new List<FixtureExpectation>();
        foreach (var line in System.IO.File.ReadAllLines(Path.Combine(Folder, "expectations.tsv"), Encoding.UTF8))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var c = line.Split('\t');
            rows.Add(new FixtureExpectation(
                c[0], Dash(c[1]), c[2], c[3].Length == 0 ? 0 : int.Parse(c[3], CultureInfo.InvariantCulture),
                Dash(c[4]), Dash(c[5]),
                Dash(c[6]) is { } d ? DateTime.Parse(d, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null));
        }
        return rows;
    }

    private static string? Dash(string s) => s is "" or "-" ? null : s;
}
