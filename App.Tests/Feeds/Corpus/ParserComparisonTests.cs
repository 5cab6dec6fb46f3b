using System.Text;
using Xunit.Abstractions;

namespace App.Tests.Feeds.Corpus;

/// <summary>
/// The measurement behind the parser choice: every candidate over every fixture. The table it
/// prints (and writes to parser-comparison.md next to the test binaries) is the one in docs/feeds.md.
/// </summary>
public sealed class ParserComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void OurParser_HandlesTheWholeCorpus_AndMoreThanEitherLibrary()
    {
        var results = ParserCandidates.All.ToDictionary(
            c => c.Name,
            c => FeedCorpus.Expectations.Select(e => ParserCandidates.Judge(e, c.Parse)).ToList());

        var table = new StringBuilder();
        table.AppendLine($"| fixture | {string.Join(" | ", results.Keys)} |");
        table.AppendLine($"| --- |{string.Concat(results.Keys.Select(_ => " --- |"))}");
        for (var row = 0; row < FeedCorpus.Expectations.Count; row++)
        {
            table.AppendLine($"| {FeedCorpus.Expectations[row].File} | {string.Join(" | ", results.Values.Select(r => r[row]))} |");
        }
        var passed = results.ToDictionary(r => r.Key, r => r.Value.Count(v => v == "ok"));
        table.AppendLine($"| **handled** | {string.Join(" | ", passed.Values.Select(n => $"**{n}/{FeedCorpus.Expectations.Count}**"))} |");
        output.WriteLine(table.ToString());
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "parser-comparison.md"), table.ToString());

        var ours = passed[ParserCandidates.All[0].Name];
        Assert.Equal(FeedCorpus.Expectations.Count, ours);
        Assert.All(passed.Skip(1), other => Assert.True(other.Value < ours, $"{other.Key} handled {other.Value}, ours {ours}"));
    }
}
