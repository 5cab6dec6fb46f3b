using System.Net;
using System.Text;

namespace App.Worker.Feeds.Sanitize;

/// <summary>Small text helpers shared by the format parsers: trimming, HTML to text, URL resolution.</summary>
public static class FeedText
{
    /// <summary>Trimmed, inner whitespace collapsed to single spaces; null when nothing is left.</summary>
    public static string? Collapse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Trimmed; null when blank.</summary>
    public static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>
    /// A title published as plain text that may still carry HTML entities (RSS in the wild, as
    /// Miniflux reads it): entities are decoded, anything that looks like a tag stays as text,
    /// except script and style elements, which go with their content (<see cref="PlainText"/>).
    /// </summary>
    public static string? DecodedText(string? text) => PlainText(text is null ? null : WebUtility.HtmlDecode(text));

    /// <summary>
    /// A plain-text title, collapsed, without script and style elements and their content: a
    /// title holding &lt;script&gt; (plain, in CDATA or escaped) showed the script's source as its text.
    /// Other tag-like text stays, as the title says it.
    /// </summary>
    public static string? PlainText(string? text) => Collapse(text is null ? null : WithoutScripts(text));

    private static string WithoutScripts(string text)
    {
        if (!text.Contains('<'))
        {
            return text;
        }
        var kept = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var lt = text.IndexOf('<', i);
            if (lt < 0)
            {
                kept.Append(text, i, text.Length - i);
                break;
            }
            kept.Append(text, i, lt - i);
            var closing = lt + 1 < text.Length && text[lt + 1] == '/';
            var name = ScriptOrStyleAt(text, lt + (closing ? 2 : 1));
            if (name is null)
            {
                kept.Append('<');
                i = lt + 1;
                continue;
            }
            // A start tag drops everything to its end tag (or to the end); a stray end tag drops itself.
            var end = closing ? lt : text.IndexOf("</" + name, lt, StringComparison.OrdinalIgnoreCase);
            var close = end < 0 ? -1 : text.IndexOf('>', end);
            i = close < 0 ? text.Length : close + 1;
        }
        return kept.ToString();
    }

    private static string? ScriptOrStyleAt(string text, int at)
    {
        foreach (var name in (ReadOnlySpan<string>)["script", "style"])
        {
            if (text.AsSpan(at).StartsWith(name, StringComparison.OrdinalIgnoreCase)
                && (at + name.Length == text.Length || text[at + name.Length] is '>' or '/' || char.IsWhiteSpace(text[at + name.Length])))
            {
                return name;
            }
        }
        return null;
    }

    /// <summary>
    /// The text of an HTML fragment: tags dropped (a space where a block ends), the content of
    /// script and style dropped with them, entities decoded. A scan, not a parse: no tree is
    /// built, however the markup nests.
    /// </summary>
    public static string? FromHtml(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return null;
        }
        if (html.IndexOfAny(['<', '&']) < 0)
        {
            return Collapse(html);
        }
        var text = new StringBuilder();
        var scanner = new HtmlScanner(html, rawText: true);
        while (scanner.Next())
        {
            switch (scanner.Token)
            {
                case HtmlToken.Text:
                    text.Append(scanner.Span);
                    break;
                case HtmlToken.StartTag or HtmlToken.EndTag when !InlineTagsByName.Contains(scanner.Span):
                    text.Append(' ');
                    break;
            }
        }
        return Collapse(WebUtility.HtmlDecode(text.ToString()));
    }

    // Tags that sit inside a word or a sentence: dropping them must not split the text.
    private static readonly HashSet<string> InlineTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
        "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> InlineTagsByName =
        InlineTags.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// The start of an item's text for a list of items: the tags of <paramref name="sanitizedHtml"/>
    /// dropped, entities decoded, at most <paramref name="max"/> characters, cut at a word.
    /// Sanitized HTML is well-formed (a tag runs from <c>&lt;</c> to the next <c>&gt;</c>), so a
    /// scan does, and only a prefix is read: an item's content may be a whole article.
    /// </summary>
    public static string? Excerpt(string? sanitizedHtml, int max = 240)
    {
        if (string.IsNullOrWhiteSpace(sanitizedHtml))
        {
            return null;
        }
        var html = sanitizedHtml.AsSpan(0, Math.Min(sanitizedHtml.Length, max * 16));
        var text = new StringBuilder(max * 2);
        var tagStart = -1;
        for (var i = 0; i < html.Length; i++)
        {
            if (tagStart >= 0)
            {
                if (html[i] == '>')
                {
                    var name = html[(tagStart + 1)..i].TrimStart('/');
                    var end = name.IndexOfAny(" /\t\r\n");
                    if (!InlineTags.Contains((end < 0 ? name : name[..end]).ToString()))
                    {
                        text.Append(' ');
                    }
                    tagStart = -1;
                }
            }
            else if (html[i] == '<')
            {
                tagStart = i;
            }
            else
            {
                text.Append(html[i]);
            }
        }
        var collapsed = Collapse(WebUtility.HtmlDecode(text.ToString()));
        if (collapsed is null || collapsed.Length <= max)
        {
            return collapsed;
        }
        var cut = collapsed.LastIndexOf(' ', max);
        return (cut > max / 2 ? collapsed[..cut] : collapsed[..max]).TrimEnd(',', ';', ':', '.', ' ') + "…";
    }

    /// <summary><paramref name="link"/> made absolute against <paramref name="baseUri"/>; null unless http/https.</summary>
    public static string? Absolute(string? link, Uri baseUri)
    {
        var trimmed = Trim(link);
        return trimmed is not null && Uri.TryCreate(baseUri, trimmed, out var abs) && abs.Scheme is "http" or "https"
            ? abs.ToString()
            : null;
    }
}
