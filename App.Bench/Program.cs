using System.Globalization;
using App.Bench;
using App.Bench.Articles;
using App.Bench.Feeds;
using App.Bench.Monitoring;
using App.Bench.Moving;
using App.Bench.Queue;
using App.Bench.Reader;

// Each section measures on temp files and returns its rows; pass section names to run only those.
var sections = new Dictionary<string, Func<Task<IReadOnlyList<BenchRow>>>>(StringComparer.OrdinalIgnoreCase)
{
    ["queue"] = () => QueueBenchmarks.RunAsync(QueueBenchmarks.Parts),
    ["queue-throughput"] = () => QueueBenchmarks.RunAsync(["throughput"]),
    ["queue-raw-batches"] = QueueBenchmarks.RawBatchesAsync,
    ["queue-pickup"] = () => QueueBenchmarks.RunAsync(["pickup"]),
    ["queue-enqueue"] = () => QueueBenchmarks.RunAsync(["enqueue"]),
    ["queue-api"] = () => QueueBenchmarks.RunAsync(["api"]),
    ["queue-under-load"] = () => QueueBenchmarks.RunAsync(["under-load"]),
    ["queue-postgres"] = PostgresQueueBenchmarks.RunAsync,
    ["queue-postgres-size"] = PostgresQueueBenchmarks.SizeAsync,
    ["feeds"] = () => FeedBenchmarks.RunAsync(FeedBenchmarks.Parts),
    ["feeds-parse"] = () => FeedBenchmarks.RunAsync(["parse"]),
    ["feeds-memory"] = () => FeedBenchmarks.RunAsync(["memory"]),
    ["feeds-hostile"] = () => FeedBenchmarks.RunAsync(["hostile"]),
    ["feeds-refresh"] = () => FeedBenchmarks.RunAsync(["refresh"]),
    ["reader"] = async () => [.. await UnreadCountBenchmarks.RunAsync(), .. await ReaderPageBenchmarks.RunAsync()],
    ["reader-unread"] = UnreadCountBenchmarks.RunAsync,
    ["reader-pages"] = ReaderPageBenchmarks.RunAsync,
    ["reader-rivers"] = RiverBenchmarks.RunAsync,
    ["reader-rivers-postgres"] = RiverBenchmarks.PostgresAsync,
    ["monitoring"] = ScrapeBenchmarks.RunAsync,
    ["parsers"] = () => Task.FromResult(ParserComparison.Run()),
    ["articles"] = ArticleBenchmarks.RunAsync,
    ["moving"] = CopyBenchmarks.RunAsync,
};

// With no arguments every whole section runs (names with a dash are parts, for quick iterations).
var wanted = args.Length > 0 ? args : sections.Keys.Where(k => !k.Contains('-')).ToArray();
var rows = new List<BenchRow>();
foreach (var name in wanted)
{
    if (!sections.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"Unknown section '{name}'. Sections: {string.Join(", ", sections.Keys)}");
        return 2;
    }
    Console.Error.WriteLine($"running {name}...");
    rows.AddRange(await run());
}

var header = string.Create(CultureInfo.InvariantCulture,
    $"Benchmarks, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
var table = BenchTable.Markdown(rows);
Console.WriteLine(header);
Console.WriteLine();
Console.WriteLine(table);
if (args.Length == 0)
{
    var docs = Path.Combine(FindRoot(), "docs", "benchmarks.md");
    Directory.CreateDirectory(Path.GetDirectoryName(docs)!);
    await File.WriteAllTextAsync(docs, $"# {header}\n\nProduced by `dotnet run -c Release --project App.Bench`.\n\n{table}");
    Console.Error.WriteLine($"written to {docs}");
}
return 0;

static string FindRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "App.sln")))
        {
            return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}
