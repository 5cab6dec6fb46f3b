using System.Text.Unicode;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;
using SmartReader;

namespace App.Worker.Articles;

/// <summary>
/// The readable article of a fetched web page: SmartReader (a port of Mozilla's Readability) finds
/// the main content and drops navigation, sidebars, scripts and the like; <see cref="ItemSanitizer"/>
/// then cleans what is left exactly as it cleans a feed's HTML, with the page's own address as the
/// base of relative links and images.
/// </summary>
public sealed class ArticleExtractor(ItemSanitizer sanitizer)
{
    /// <summary>
    /// A page is parsed into a whole DOM only when it makes at most this many elements, as
    /// <see cref="HtmlBounds"/> estimates without a tree (a large news page makes a few thousand):
    /// the parser's and Readability's work grow with the count.
    /// </summary>
    public const int MaxElements = 30_000;

    /// <summary>Deepest nesting a page may have, as estimated (real pages stay under 50; the parser's work per tag grows with it).</summary>
    public const int MaxDepth = 300;

    /// <summary>Most formatting elements open at once, as estimated (each is re-created for every later block).</summary>
    public const int MaxOpenFormatting = 32;

    /// <summary>The sanitized article, or why there is none (<see cref="ArticleResult.Error"/>).</summary>
    public ArticleResult Extract(FetchedDocument page)
    {
        if (page.Kind != DocumentKind.WebPage)
        {
            return ArticleResult.Failed($"The page at {page.Url} is not a web page ({page.MediaType ?? "no content type"})");
        }
        var bytes = page.Body.ToArray();
        var text = FeedDecoding.Decode(bytes, page.Charset);
        if (!HtmlBounds.Within(text, rawText: true, MaxElements, MaxDepth, MaxOpenFormatting))
        {
            return ArticleResult.Failed(
                $"The page at {page.Url} is too complex to read (over {MaxElements:N0} elements or {MaxDepth} levels deep)");
        }
        var reader = Open(page.Url, bytes, text, page.Charset);
        reader.MaxElemsToParse = MaxElements;
        var article = reader.GetArticle();
        if (!article.Completed || !article.IsReadable || string.IsNullOrWhiteSpace(article.Content))
        {
            var why = article.Errors.FirstOrDefault()?.Message;
            return ArticleResult.Failed($"No readable article was found at {page.Url}{(why is null ? "" : $" ({why})")}");
        }
        return sanitizer.Html(article.Content, page.Url.ToString()) is { } html
            ? new ArticleResult(html, null)
            : ArticleResult.Failed($"The article at {page.Url} is empty once cleaned");
    }

    /// <summary>
    /// A page labelled with a charset, or that is valid UTF-8 (most of the web), is decoded here as a
    /// feed is; any other is handed over as bytes, for the HTML parser to find its meta charset.
    /// </summary>
    private static Reader Open(Uri url, byte[] bytes, string decoded, string? charset) =>
        charset is not null || Utf8.IsValid(bytes)
            ? new Reader(url.ToString(), decoded)
            : new Reader(url.ToString(), new MemoryStream(bytes, writable: false));
}
