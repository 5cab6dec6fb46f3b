using System.Net;
using System.Text;

namespace App.Worker.Feeds;

/// <summary>
/// Mends the XML of real-world feeds before a strict reader sees it: HTML named entities that
/// XML does not know (&amp;nbsp;, &amp;eacute;) become numeric references, a stray &amp; becomes
/// &amp;amp;, characters XML forbids are dropped. A DOCTYPE that only names an external DTD (RSS
/// 0.91) is removed; one that declares anything itself is refused, as that is how entity bombs
/// and external entities (XXE) arrive. CDATA sections and comments are copied untouched.
/// </summary>
public static class XmlRepair
{
    /// <summary>The mended document; throws <see cref="FeedException"/> for a DTD with declarations.</summary>
    public static string Repair(string xml)
    {
        var text = new StringBuilder(xml.Length + 64);
        var i = 0;
        while (i < xml.Length)
        {
            var c = xml[i];
            if (c == '<' && Starts(xml, i, "<![CDATA["))
            {
                i = CopyThrough(xml, i, "]]>", text);
            }
            else if (c == '<' && Starts(xml, i, "<!--"))
            {
                i = CopyThrough(xml, i, "-->", text);
            }
            else if (c == '<' && Starts(xml, i, "<!DOCTYPE"))
            {
                i = SkipDoctype(xml, i, text);
            }
            else if (c == '&')
            {
                i = Entity(xml, i, text);
            }
            else if (IsXmlChar(c) || char.IsSurrogatePair(xml, i))
            {
                text.Append(c);
                if (char.IsHighSurrogate(c))
                {
                    text.Append(xml[i + 1]);
                    i++;
                }
                i++;
            }
            else
            {
                i++;
            }
        }
        return text.ToString();
    }

    private static bool Starts(string s, int at, string prefix) =>
        string.CompareOrdinal(s, at, prefix, 0, prefix.Length) == 0;

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
