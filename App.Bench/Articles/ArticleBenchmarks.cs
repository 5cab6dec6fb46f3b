using System.Diagnostics;
using System.Globalization;
using System.Text;
using App.Worker.Articles;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Sanitize;

namespace App.Bench.Articles;

/// <summary>
/// What one fetch-article job costs once the page is in: the bounds scan, SmartReader's extraction
/// and the sanitizer, in process, for an ordinary article page, a large one, and pages at and past
/// the bounds (which are refused by the scan alone). Time per page (median and range of the runs)
/// and bytes allocated.
/// </summary>
public static class ArticleBenchmarks
{
    private const int Runs = 15;

    public static Task<IReadOnlyList<BenchRow>> RunAsync()
    {
        var extractor = new ArticleExtractor(new ItemSanitizer());
        var pages = new (string Name, string Html)[]
        {
            ("blog post, 40 paragraphs amid navigation and scripts", Page(paragraphs: 40, junkBlocks: 50)),
            ("long page, 600 paragraphs, 1,000 junk blocks", Page(paragraphs: 600, junkBlocks: 1000)),
            ("at the bounds: nested 290 deep", Nested(290)),
            ("past the bounds: nested 5,000 deep (refused)", Nested(5000)),
            ("past the bounds: 4 MiB of empty elements (refused)", Flat(4 * 1024 * 1024)),
        };
        var rows = new List<BenchRow>();
        foreach (var (name, html) in pages)
        {
            var bytes = Encoding.UTF8.GetBytes(html);
            var times = new List<double>();
            long allocated = 0;
            string outcome = "";
            for (var run = 0; run < Runs; run++)
            {
                var page = new FetchedDocument(bytes, "text/html", "utf-8", new Uri("https://blog.example.com/posts/1"));
                var before = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                var result = extractor.Extract(page);
                times.Add(clock.Elapsed.TotalMilliseconds);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                outcome = result.Html is { } article ? $"article of {article.Length / 1024.0:0.#} KiB" : "refused";
            }
            var sorted = times.Skip(1).Order().ToList();
            rows.Add(new BenchRow("articles", $"{name} ({bytes.Length / 1024.0:0.#} KiB)",
                string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(sorted):0.0} ms (range {sorted[0]:0.0}–{sorted[^1]:0.0})"),
                Note: string.Create(CultureInfo.InvariantCulture, $"{outcome}; {allocated / (1024.0 * 1024.0):0.#} MiB allocated; {Runs - 1} runs after one warm-up")));
        }
        return Task.FromResult<IReadOnlyList<BenchRow>>(rows);
    }

    private static string Page(int paragraphs, int junkBlocks, int wrapDepth = 0)
    {
        var text = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Post</title>");
        for (var i = 0; i < 20; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"<script>var widget{i} = '<div class=\"w\">' + {i} + '</div>';</script>");
        }
        text.Append("</head><body><nav><ul>");
        for (var i = 0; i < junkBlocks; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"<li><a href=\"/section/{i}\">Section {i}</a></li>");
        }
        text.Append("</ul></nav>").Insert(text.Length, "<div>", wrapDepth).Append("<main><article><h1>The post</h1>");
        for (var i = 0; i < paragraphs; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"<p>Paragraph {i}: the harbour lights came on one by one while the ferries crossed the bay, <a href=\"/notes/{i}\">a note</a> and <em>some emphasis</em> on the way.</p>");
        }
        text.Append("</article></main>").Insert(text.Length, "</div>", wrapDepth).Append("<footer>");
        for (var i = 0; i < junkBlocks / 10; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"<div class=\"promo\"><p>Subscribe to our newsletter {i}</p></div>");
        }
        return text.Append("</footer></body></html>").ToString();
    }

    private static string Nested(int depth) => Page(paragraphs: 40, junkBlocks: 10, wrapDepth: depth);

    private static string Flat(int size)
    {
        var text = new StringBuilder("<!doctype html><html><body>", size + 64);
        while (text.Length < size)
        {
            text.Append("<span></span>");
        }
        return text.Append("</body></html>").ToString();
    }
}
