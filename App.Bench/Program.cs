using System.Globalization;
using App.Bench;

// Each section measures on temp files and returns its rows; pass section names to run only those.
var sections = new Dictionary<string, Func<Task<IReadOnlyList<BenchRow>>>>(StringComparer.OrdinalIgnoreCase)
{
    ["feeds"] = App.Bench.Feeds.FeedBenchmarks.RunAsync,
};

var wanted = args.Length > 0 ? args : sections.Keys.ToArray();
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
