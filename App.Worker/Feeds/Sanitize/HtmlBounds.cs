namespace App.Worker.Feeds.Sanitize;

/// <summary>
/// The limits an item's HTML must keep before a DOM is built from it (the sanitizer parses it into
/// one). The HTML parser's work and memory grow with more than the input's length: each nesting
/// level is walked for every later tag (an item nesting 100,000 elements kept a job running for
/// more than 90 s), and formatting elements left open are rebuilt for every later paragraph
/// (24 KB of them allocated 1.6 GB). Measured here with <see cref="HtmlScanner"/>, which builds no
/// tree; HTML beyond the limits is kept as its text.
/// </summary>
public static class HtmlBounds
{
    /// <summary>Longer HTML is cut (at a tag) to this many characters: a long article is a fifth of it.</summary>
    public const int MaxChars = 256 * 1024;

    /// <summary>
    /// Most elements the parser may create, as estimated: each start tag, plus, before each start
    /// tag and each run of text, every formatting element then open (the parser re-creates those
    /// that a closed block took with it; the estimate counts them whether or not it must).
    /// </summary>
    public const int MaxElements = 10_000;

    /// <summary>Deepest nesting, as estimated without a tree (an over-estimate, never an under-estimate, of the parser's).</summary>
    public const int MaxDepth = 100;

    /// <summary>Most formatting elements (b, i, a, font, …) open at once, as estimated.</summary>
    public const int MaxOpenFormatting = 16;

    // Void elements never hold content; elements whose end tag is optional close when a sibling
    // opens (a p ends at the next p), so neither nests by itself.
    private static readonly HashSet<string> NotNesting = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param", "keygen",
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "rb", "rt", "rtc", "rp", "thead", "tbody", "tfoot", "colgroup", "caption",
    };

    private static readonly HashSet<string> Formatting = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NotNestingByName = NotNesting.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FormattingByName = Formatting.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Whether <paramref name="html"/> is within the limits; <paramref name="bounded"/> is it, cut to
    /// <see cref="MaxChars"/>. Every tag counts, also inside script or style: the parser may read
    /// those as markup (inside svg), and counting too much only turns hostile HTML into text.
    /// </summary>
    public static bool Fits(string html, out string bounded)
    {
        bounded = Cut(html);
        return Within(bounded, rawText: false, MaxElements, MaxDepth, MaxOpenFormatting);
    }

    /// <summary>
    /// Whether the whole of <paramref name="html"/> keeps the given limits, estimated as
    /// <see cref="Fits"/> does; with <paramref name="rawText"/> the content of scripts and styles is
    /// skipped (a web page's scripts are full of markup in strings, which the parser never builds).
    /// </summary>
    public static bool Within(string html, bool rawText, int maxElements, int maxDepth, int maxOpenFormatting)
    {
        var scanner = new HtmlScanner(html, rawText);
        int elements = 0, depth = 0, formatting = 0;
        while (scanner.Next())
        {
            if (scanner.Token == HtmlToken.RawText)
            {
                continue;
            }
            if (scanner.Token == HtmlToken.Text)
            {
                if (formatting > 0 && !scanner.Span.IsWhiteSpace() && (elements += formatting) > maxElements)
                {
                    return false;
                }
                continue;
            }
            var name = scanner.Span;
            var nests = !NotNestingByName.Contains(name);
            var isFormatting = FormattingByName.Contains(name);
            if (scanner.Token == HtmlToken.StartTag)
            {
                if ((elements += 1 + formatting) > maxElements
                    || (nests && !scanner.SelfClosing && ++depth > maxDepth)
                    || (isFormatting && ++formatting > maxOpenFormatting))
                {
                    return false;
                }
            }
            else
            {
                depth = nests ? Math.Max(0, depth - 1) : depth;
                formatting = isFormatting ? Math.Max(0, formatting - 1) : formatting;
            }
        }
        return true;
    }

    /// <summary>At most <see cref="MaxChars"/>, cut before a tag when one starts near the end.</summary>
    private static string Cut(string html)
    {
        if (html.Length <= MaxChars)
        {
            return html;
        }
        var lastTag = html.LastIndexOf('<', MaxChars - 1, 1024);
        return html[..(lastTag > 0 ? lastTag : MaxChars)];
    }
}
