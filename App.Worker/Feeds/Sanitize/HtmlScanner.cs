using System.Net;

namespace App.Worker.Feeds.Sanitize;

/// <summary>
/// A forgiving scan of HTML into start tags, end tags and text, without building a tree: what
/// only needs to look at markup (its size and nesting, its text, a page's link tags) reads it this
/// way, in time linear in its length, holding nothing but the current token. Comments, doctypes
/// and processing instructions are passed over.
/// </summary>
public sealed class HtmlScanner
{
    // Elements whose content is text to the HTML parser, not markup (in HTML content).
    private static readonly HashSet<string> RawTextElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> RawText =
        RawTextElements.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly string _html;
    private readonly int _end;
    private readonly bool _rawText;
    private int _position;
    private string? _rawTextUntil;

    /// <param name="html">The markup.</param>
    /// <param name="rawText">
    /// Whether the content of script, style, textarea and the like is one <see cref="HtmlToken.RawText"/>
    /// token, as the HTML parser reads it in HTML content. Without, tags inside it count as tags: the
    /// safe reading where an over-count is harmless (inside &lt;svg&gt; the parser reads a style's
    /// content as markup).
    /// </param>
    public HtmlScanner(string html, bool rawText)
    {
        _html = html;
        _end = html.Length;
        _rawText = rawText;
    }

    /// <summary>What the scanner stopped on.</summary>
    public HtmlToken Token { get; private set; }

    /// <summary>The tag's name (tags), or the text (text and raw text).</summary>
    public ReadOnlySpan<char> Span => _html.AsSpan(_spanStart, _spanEnd - _spanStart);

    /// <summary>Whether the start tag ends with "/&gt;".</summary>
    public bool SelfClosing { get; private set; }

    private int _spanStart;
    private int _spanEnd;
    private int _attributesStart;
    private int _attributesEnd;

    /// <summary>Moves to the next token; false at the end.</summary>
    public bool Next()
    {
        // A loop, not a recursion: a page of a million comments in a row must not take a million frames.
        while (_position < _end)
        {
            if (_rawTextUntil is { } element)
            {
                _rawTextUntil = null;
                var close = IndexOfEndTag(element);
                SetSpan(HtmlToken.RawText, _position, close);
                _position = close;
                if (close > _spanStart)
                {
                    return true;
                }
                continue;
            }
            var lt = _html.IndexOf('<', _position);
            if (lt < 0)
            {
                SetSpan(HtmlToken.Text, _position, _end);
                _position = _end;
                return true;
            }
            if (lt > _position)
            {
                SetSpan(HtmlToken.Text, _position, lt);
                _position = lt;
                return true;
            }
            if (ReadMarkup())
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The value of the current start tag's attribute <paramref name="name"/>, entities decoded; null when absent.</summary>
    public string? Attribute(string name)
    {
        var i = _attributesStart;
        while (i < _attributesEnd)
        {
            while (i < _attributesEnd && (char.IsWhiteSpace(_html[i]) || _html[i] == '/'))
            {
                i++;
            }
            var nameStart = i;
            while (i < _attributesEnd && !char.IsWhiteSpace(_html[i]) && _html[i] is not ('=' or '/'))
            {
                i++;
            }
            var attributeName = _html.AsSpan(nameStart, i - nameStart);
            while (i < _attributesEnd && char.IsWhiteSpace(_html[i]))
            {
                i++;
            }
            string? value = "";
            if (i < _attributesEnd && _html[i] == '=')
            {
                i++;
                while (i < _attributesEnd && char.IsWhiteSpace(_html[i]))
                {
                    i++;
                }
                int valueStart, valueEnd;
                if (i < _attributesEnd && _html[i] is '"' or '\'')
                {
                    var quote = _html[i];
                    valueStart = i + 1;
                    var close = _html.IndexOf(quote, valueStart, _attributesEnd - valueStart);
                    valueEnd = close < 0 ? _attributesEnd : close;
                    i = valueEnd + 1;
                }
                else
                {
                    valueStart = i;
                    while (i < _attributesEnd && !char.IsWhiteSpace(_html[i]))
                    {
                        i++;
                    }
                    valueEnd = i;
                }
                value = WebUtility.HtmlDecode(_html[valueStart..valueEnd]);
            }
            if (attributeName.Length > 0 && attributeName.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
            if (attributeName.Length == 0)
            {
                i++;
            }
        }
        return null;
    }

    /// <summary>Reads the markup at a '&lt;'; false when it was passed over (a comment, a doctype, a processing instruction).</summary>
    private bool ReadMarkup()
    {
        var start = _position;
        var next = start + 1 < _end ? _html[start + 1] : '\0';
        if (next == '!' && _html.AsSpan(start).StartsWith("<!--"))
        {
            _position = Skip(start + 4, "-->");
            return false;
        }
        if (next is '!' or '?')
        {
            _position = Skip(start + 2, ">");
            return false;
        }
        var end = next == '/';
        var nameStart = start + (end ? 2 : 1);
        if (nameStart >= _end || !char.IsAsciiLetter(_html[nameStart]))
        {
            // A '<' that starts no tag is text.
            SetSpan(HtmlToken.Text, start, start + 1);
            _position = start + 1;
            return true;
        }
        var nameEnd = nameStart;
        while (nameEnd < _end && !char.IsWhiteSpace(_html[nameEnd]) && _html[nameEnd] is not ('/' or '>'))
        {
            nameEnd++;
        }
        // The tag runs to the first '>' outside a quoted attribute value.
        var i = nameEnd;
        var afterEquals = false;
        while (i < _end && _html[i] != '>')
        {
            var c = _html[i];
            if (afterEquals && c is '"' or '\'')
            {
                var closeQuote = _html.IndexOf(c, i + 1, _end - i - 1);
                i = closeQuote < 0 ? _end : closeQuote + 1;
                afterEquals = false;
                continue;
            }
            if (c == '=')
            {
                afterEquals = true;
            }
            else if (!char.IsWhiteSpace(c))
            {
                afterEquals = false;
            }
            i++;
        }
        var close = Math.Min(i, _end);
        SelfClosing = !end && close > nameEnd && _html[close - 1] == '/';
        SetSpan(end ? HtmlToken.EndTag : HtmlToken.StartTag, nameStart, nameEnd);
        (_attributesStart, _attributesEnd) = (nameEnd, SelfClosing ? close - 1 : close);
        _position = Math.Min(close + 1, _end);
        if (!end && _rawText && RawText.TryGetValue(_html.AsSpan(nameStart, nameEnd - nameStart), out var element))
        {
            _rawTextUntil = element;
        }
        return true;
    }

    private int Skip(int from, string terminator)
    {
        var at = _html.IndexOf(terminator, from, _end - from, StringComparison.Ordinal);
        return at < 0 ? _end : at + terminator.Length;
    }

    private int IndexOfEndTag(string element)
    {
        for (var i = _position; i < _end; i++)
        {
            i = _html.IndexOf("</", i, _end - i, StringComparison.Ordinal);
            if (i < 0)
            {
                return _end;
            }
            if (_html.AsSpan(i + 2).StartsWith(element, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return _end;
    }

    private void SetSpan(HtmlToken token, int start, int end)
    {
        Token = token;
        _spanStart = start;
        _spanEnd = end;
        if (token != HtmlToken.StartTag)
        {
            SelfClosing = false;
            _attributesStart = _attributesEnd = 0;
        }
    }
}

/// <summary>What <see cref="HtmlScanner"/> stopped on.</summary>
public enum HtmlToken
{
    Text,
    StartTag,
    EndTag,

    /// <summary>The content of a script, style, textarea (and the like) element.</summary>
    RawText,
}
