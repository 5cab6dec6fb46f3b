using System.Net;
using System.Text;

namespace App.Worker.Feeds;

/// <summary>
/// Mends the XML of real-world feeds before a strict reader sees it: HTML named entities that
/// XML does not know (&amp;nbsp;, &amp;eacute;) become numeric references, a stray &amp; becomes
/// &amp;amp;, characters XML forbids are dropped. A DOCTYPE that only names an external DTD (RSS
/// 0.91) is removed; one that declares anything itself is refused, as that is how entity bombs
/// and external entities (XXE) arrive. CDATA sections and comments are copied untouched.
/// It reads as a <see cref="TextReader"/>, mending as the XML reader pulls.
/// </summary>
public sealed class XmlRepair(string xml) : TextReader
{
    private readonly StringBuilder _pending = new();
    private int _position;
    private int _pendingStart;

    /// <summary>The whole mended document at once; throws <see cref="FeedException"/> for a DTD with declarations.</summary>
    public static string Repair(string xml)
    {
        using var reader = new XmlRepair(xml);
        return reader.ReadToEnd();
    }

    // The document is mended as it is read, so a large feed is not held a second time.
    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        while (_pending.Length - _pendingStart < buffer.Length && _position < xml.Length)
        {
            if (_pendingStart > 0)
            {
                _pending.Remove(0, _pendingStart);
                _pendingStart = 0;
            }
            _position = Step(xml, _position, _pending);
        }
        var n = Math.Min(buffer.Length, _pending.Length - _pendingStart);
        _pending.CopyTo(_pendingStart, buffer[..n], n);
        _pendingStart += n;
        return n;
    }

    public override int Peek()
    {
        if (_pending.Length - _pendingStart == 0 && _position < xml.Length)
        {
            Span<char> one = stackalloc char[1];
            if (Read(one) == 0)
            {
                return -1;
            }
            _pendingStart--;
        }
        return _pending.Length - _pendingStart > 0 ? _pending[_pendingStart] : -1;
    }

    public override int Read()
    {
        var c = Peek();
        if (c >= 0)
        {
            _pendingStart++;
        }
        return c;
    }

    /// <summary>Mends the construct at <paramref name="i"/> into <paramref name="text"/>; returns where the next one starts.</summary>
    private static int Step(string xml, int i, StringBuilder text)
    {
        // Most of a document needs nothing: copy a run of ordinary characters at once.
        var run = i;
        while (run < xml.Length && IsPlain(xml[run]))
        {
            run++;
        }
        if (run > i)
        {
            text.Append(xml, i, run - i);
            return run;
        }
        var c = xml[i];
        if (c == '<' && Starts(xml, i, "<![CDATA["))
        {
            return CopyThrough(xml, i, "]]>", text);
        }
        if (c == '<' && Starts(xml, i, "<!--"))
        {
            return CopyThrough(xml, i, "-->", text);
        }
        if (c == '<' && Starts(xml, i, "<!DOCTYPE"))
        {
            return SkipDoctype(xml, i, text);
        }
        if (c == '&')
        {
            return Entity(xml, i, text);
        }
        if (char.IsSurrogatePair(xml, i))
        {
            text.Append(c).Append(xml[i + 1]);
            return i + 2;
        }
        if (IsXmlChar(c))
        {
            text.Append(c);
        }
        return i + 1;
    }

    private static bool Starts(string s, int at, string prefix) =>
        string.CompareOrdinal(s, at, prefix, 0, prefix.Length) == 0;

    private static bool IsPlain(char c) =>
        c is '\t' or '\n' or '\r' || (c >= 0x20 && c < 0xD800 && c != '<' && c != '&');

    private static bool IsXmlChar(char c) =>
        c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);

    private static int CopyThrough(string xml, int start, string end, StringBuilder text)
    {
        var close = xml.IndexOf(end, start, StringComparison.Ordinal);
        var stop = close < 0 ? xml.Length : close + end.Length;
        for (var k = start; k < stop; k++)
        {
            if (IsXmlChar(xml[k]) || char.IsSurrogate(xml[k]))
            {
                text.Append(xml[k]);
            }
        }
        return stop;
    }

    private static int SkipDoctype(string xml, int start, StringBuilder text)
    {
        var close = xml.IndexOf('>', start);
        var subset = xml.IndexOf('[', start);
        if (close < 0 || (subset >= 0 && subset < close))
        {
            throw new FeedException("The feed declares a DTD with entities; DTDs are not processed for safety", retryable: false);
        }
        // Keep the line count, so that XML errors later point at the right line.
        for (var k = start; k <= close; k++)
        {
            if (xml[k] == '\n')
            {
                text.Append('\n');
            }
        }
        return close + 1;
    }

    private static int Entity(string xml, int start, StringBuilder text)
    {
        var semicolon = xml.IndexOf(';', start + 1, Math.Min(34, xml.Length - start - 1));
        if (semicolon < 0)
        {
            text.Append("&amp;");
            return start + 1;
        }
        var name = xml.AsSpan(start + 1, semicolon - start - 1);
        if (name is "amp" or "lt" or "gt" or "quot" or "apos")
        {
            text.Append(xml, start, semicolon - start + 1);
            return semicolon + 1;
        }
        if (name.Length > 1 && name[0] == '#')
        {
            var hex = name[1] is 'x' or 'X';
            var digits = hex ? name[2..] : name[1..];
            if (int.TryParse(digits, hex ? System.Globalization.NumberStyles.HexNumber : System.Globalization.NumberStyles.None, null, out var code))
            {
                // A reference to a character XML forbids (&#0;, &#x1;) is dropped like the raw character.
                if (code is 0x9 or 0xA or 0xD || (code >= 0x20 && code <= 0xD7FF) || (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF))
                {
                    text.Append(xml, start, semicolon - start + 1);
                }
                return semicolon + 1;
            }
        }
        else if (IsName(name))
        {
            var entity = xml.Substring(start, semicolon - start + 1);
            var decoded = WebUtility.HtmlDecode(entity);
            if (decoded != entity)
            {
                foreach (var rune in decoded.EnumerateRunes())
                {
                    text.Append("&#").Append(rune.Value).Append(';');
                }
                return semicolon + 1;
            }
        }
        text.Append("&amp;");
        return start + 1;
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
