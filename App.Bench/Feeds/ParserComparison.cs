using System.Globalization;
using App.Tests.Worker.Feeds.Parse.Corpus;

namespace App.Bench.Feeds;

/// <summary>
/// The measurement behind the parser choice (docs/feeds.md): every candidate parser over every
/// fixture of the test corpus, judged against its expectations. Our parser must handle the whole
/// corpus (its own tests hold it to that); this says how the libraries it was chosen over fare.
/// </summary>
public static class ParserComparison
{
    public static IReadOnlyList<BenchRow> Run()
    {
        var rows = new List<BenchRow>();
        foreach (var (name, parse) in ParserCandidates.All)
        {
            var verdicts = FeedCorpus.Expectations.Select(e => (e.File, Verdict: ParserCandidates.Judge(e, parse))).ToList();
            var handled = verdicts.Count(v => v.Verdict == "ok");
            var misses = verdicts.Where(v => v.Verdict != "ok").Select(v => $"{v.File} ({v.Verdict})").ToList();
            rows.Add(new BenchRow(
                "feeds",
                $"parser comparison: {name}, fixtures handled of {FeedCorpus.Expectations.Count}",
                handled.ToString(CultureInfo.InvariantCulture),
                null,
                misses.Count == 0 ? "all" : "missed: " + string.Join("; ", misses)));
        }
        return rows;
    }
}
