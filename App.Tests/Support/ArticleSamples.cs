namespace App.Tests.Support;

/// <summary>
/// A feed whose items carry a one-line summary, and the article pages they link to: a long body
/// amid navigation, a script, a sidebar and a footer, with relative links, as a blog's page is.
/// </summary>
public static class ArticleSamples
{
    /// <summary>What every article's body says; the summary never does.</summary>
    public const string BodyText = "The harbour lights came on one by one";

    /// <summary>Text of the page's navigation, sidebar and footer, which no extracted article keeps.</summary>
    public static readonly string[] JunkText = ["Subscribe to our newsletter", "Copyright Example Media"];

    /// <summary>An RSS feed of items <paramref name="numbers"/> (newest last in the list, first in the feed), each linking to <c>/posts/{n}</c> on <paramref name="origin"/>.</summary>
    public static string Feed(Uri origin, params int[] numbers)
    {
        var items = string.Concat(numbers.Reverse().Select(n => $"""
              <item>
                <title>Post {n}</title>
                <link>{new Uri(origin, $"/posts/{n}")}</link>
                <guid>post-{n}</guid>
                <pubDate>{new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc).AddDays(n):R}</pubDate>
                <description>Short summary of post {n}.</description>
              </item>
            """));
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Harbour notes</title><link>{origin}</link>
            {items}
            </channel></rss>
            """;
    }

    /// <summary>The page of post <paramref name="n"/>: its article and the junk around it.</summary>
    public static string Page(int n)
    {
        var paragraphs = string.Concat(Enumerable.Range(1, 8).Select(p => $"""
                <p>{BodyText} in paragraph {p} of post {n}, while the ferries crossed the bay and the
                fishermen mended their nets on the quay, talking about the weather, the price of fuel and
                the new bridge that the town council had promised for so many years without building it.</p>
            """));
        return $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Post {n} - Harbour notes</title>
            <script>window.trackingPixel = "loaded";</script></head>
            <body>
              <nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li><li><a href="/archive">Archive</a></li></ul></nav>
              <div class="sidebar"><p>{JunkText[0]}</p><form action="/subscribe"><input name="email"><button>Go</button></form></div>
              <article>
                <h1>Post {n}</h1>
            {paragraphs}
                <p>Read <a href="/posts/{n + 1}" onclick="steal()">the next part</a> and look at
                <img src="images/harbour-{n}.jpg" alt="The harbour at dusk"> the photograph taken that evening.</p>
                <script>document.write("injected");</script>
              </article>
              <footer><p>{JunkText[1]}</p><a href="/privacy">Privacy</a></footer>
            </body></html>
            """;
    }
}
