using System.Net;
using System.Text;

namespace App.Worker.Feeds.Parse;

/// <summary>
/// Mends the XML of real-world feeds before a strict reader sees it: HTML named entities that
/// XML does not know (&amp;nbsp;, &amp;eacute;) become numeric references, a stray &amp; becomes
/// &amp;amp;, characters XML forbids are dropped. A DOCTYPE that only names an external DTD (RSS
/// 0.91) is removed; one that declares anything itself is refused, as that is how entity bombs
/// and external entities (XXE) arrive. CDATA sections and comments are copied untouched.
/// It reads as a <see cref="TextReader"/>, mending as the XML reader pulls.
/// </summary>
public sealed class XmlRepair : TextReader
{
    /// <summary>Enough look-ahead for every construct but a DOCTYPE, which reads on to its end (CDATA and comments are copied on as they come).</summary>
    private const int LookAhead = 64;

    private readonly TextReader _source;
    private readonly StringBuilder _pending = new();
    private char[] _window = new char[16 * 1024];
    private int _windowStart;
    private int _windowEnd;
    private bool _sourceDone;
    private int _pendingStart;
    private int _linesHandedOn;

    // Inside a CDATA section or a comment: copied on as the source comes, up to this terminator,
    // so that a section of megabytes is never in the window (or the pending text) whole.
    private string? _copyingThrough;

    // A long CDATA section is handed on as several adjacent ones, the same text: XmlReader holds
    // a whole CDATA node in its buffer (6 bytes a character, on the large object heap), and an
    // item of a megabyte of HTML was four times that in memory at once.
    private const int CDataSplitChars = 32 * 1024;
    private int _cdataChars;

    /// <summary>
    /// Whether an XML error at <paramref name="line"/> is the document's end: all of the source
    /// was read and handed on, and the error is on its last line (a document cut off, rather than
    /// one broken further up). Lines are counted by line feeds.
    /// </summary>
    public bool IsLastLine(int line) =>
        _sourceDone && _windowStart == _windowEnd && _pendingStart >= _pending.Length && line == _linesHandedOn + 1;

    // Called each time another ProgressChars characters were handed on (a refresh's GarbageBudget).
    private const int ProgressChars = 64 * 1024;
    private readonly Action? _progress;
    private long _handedOn;

    /// <summary>
    /// Mends the text <paramref name="source"/> reads, as it is read; disposing this disposes the
    /// source. <paramref name="progress"/> is called every 64 Ki characters handed on: within one
    /// large item, the only other moments a refresh could collect its garbage are between items.
    /// </summary>
    public XmlRepair(TextReader source, Action? progress = null)
    {
        _source = source;
        _progress = progress;
    }

    public XmlRepair(string xml)
        : this(new StringReader(xml))
    {
    }

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
        while (_pending.Length - _pendingStart < buffer.Length && (_windowStart < _windowEnd || !_sourceDone))
        {
            if (_pendingStart > 0)
            {
                _pending.Remove(0, _pendingStart);
                _pendingStart = 0;
            }
            MendNext();
        }
        var n = Math.Min(buffer.Length, _pending.Length - _pendingStart);
        _pending.CopyTo(_pendingStart, buffer[..n], n);
        _pendingStart += n;
        _linesHandedOn += buffer[..n].Count('\n');
        if (_progress is not null && (_handedOn + n) / ProgressChars > _handedOn / ProgressChars)
        {
            _progress();
        }
        _handedOn += n;
        return n;
    }

    public override int Peek()
    {
        if (_pending.Length - _pendingStart == 0)
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
            _linesHandedOn += c == '\n' ? 1 : 0;
        }
        return c;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Mends the next construct of the source into the pending text, reading more of the source as it needs.</summary>
    private void MendNext()
    {
        if (_windowEnd - _windowStart < LookAhead)
        {
            Fill();
        }
        while (true)
        {
            var window = _window.AsSpan(_windowStart, _windowEnd - _windowStart);
            int used;
            if (_copyingThrough is { } end)
            {
                used = CopyOn(window, end, _sourceDone, _pending, ref _copyingThrough);
                _cdataChars += used;
                if (end == "]]>" && _copyingThrough is not null && _cdataChars >= CDataSplitChars && !char.IsHighSurrogate(_pending[^1]))
                {
                    _pending.Append("]]><![CDATA[");
                    _cdataChars = 0;
                }
            }
            else
            {
                used = Step(window, _sourceDone, _pending, ref _copyingThrough);
                _cdataChars = 0;
            }
            if (used > 0 || _windowStart == _windowEnd)
            {
                _windowStart += used;
                return;
            }
            // A construct runs past the window: read on until it ends (or the source does).
            Fill();
        }
    }

    private void Fill()
    {
        if (_sourceDone)
        {
            return;
        }
        var kept = _windowEnd - _windowStart;
        if (kept > _window.Length / 2)
        {
            Array.Resize(ref _window, _window.Length * 2);
        }
        Array.Copy(_window, _windowStart, _window, 0, kept);
        _windowStart = 0;
        _windowEnd = kept;
        while (_windowEnd < _window.Length)
        {
            var read = _source.Read(_window, _windowEnd, _window.Length - _windowEnd);
            if (read == 0)
            {
                _sourceDone = true;
                return;
            }
            _windowEnd += read;
        }
    }

    /// <summary>
    /// Mends the construct at the start of <paramref name="xml"/> into <paramref name="text"/>; returns
    /// how many characters it used, or 0 when the construct goes on past the end and <paramref name="final"/> is false.
    /// </summary>
    private static int Step(ReadOnlySpan<char> xml, bool final, StringBuilder text, ref string? copyingThrough)
    {
        // Most of a document needs nothing: copy a run of ordinary characters at once.
        var run = 0;
        while (run < xml.Length && IsPlain(xml[run]))
        {
            run++;
        }
        if (run > 0)
        {
            text.Append(xml[..run]);
            return run;
        }
        var c = xml[0];
        if (c == '<' && xml.StartsWith("<![CDATA["))
        {
            text.Append("<![CDATA[");
            copyingThrough = "]]>";
            return "<![CDATA[".Length;
        }
        if (c == '<' && xml.StartsWith("<!--"))
        {
            text.Append("<!--");
            copyingThrough = "-->";
            return "<!--".Length;
        }
        if (c == '<' && xml.StartsWith("<!DOCTYPE"))
        {
            return SkipDoctype(xml, final, text);
        }
        if (c == '&')
        {
            return Entity(xml, text);
        }
        if (xml.Length > 1 && char.IsSurrogatePair(c, xml[1]))
        {
            text.Append(c).Append(xml[1]);
            return 2;
        }
        if (IsXmlChar(c))
        {
            text.Append(c);
        }
        return 1;
    }

    private static bool IsPlain(char c) =>
        c is '\t' or '\n' or '\r' || (c >= 0x20 && c < 0xD800 && c != '<' && c != '&');

    private static bool IsXmlChar(char c) =>
        c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);

    /// <summary>
    /// Copies the inside of a CDATA section or comment untouched but for characters XML forbids,
    /// through <paramref name="end"/> if the window holds it (then the copying is over), else all
    /// but the last characters, which may be the start of the terminator.
    /// </summary>
    private static int CopyOn(ReadOnlySpan<char> xml, string end, bool final, StringBuilder text, ref string? copyingThrough)
    {
        var close = xml.IndexOf(end, StringComparison.Ordinal);
        int stop;
        if (close >= 0 || final)
        {
            stop = close < 0 ? xml.Length : close + end.Length;
            copyingThrough = null;
        }
        else
        {
            stop = Math.Max(0, xml.Length - (end.Length - 1));
        }
        foreach (var c in xml[..stop])
        {
            if (IsXmlChar(c) || char.IsSurrogate(c))
            {
                text.Append(c);
            }
        }
        return stop;
    }

    private static int SkipDoctype(ReadOnlySpan<char> xml, bool final, StringBuilder text)
    {
        var close = xml.IndexOf('>');
        if (close < 0 && !final)
        {
            return 0;
        }
        if (close < 0 || xml[..close].Contains('['))
        {
            throw new FeedException("The feed declares a DTD with entities; DTDs are not processed for safety", retryable: false);
        }
        // Keep the line count, so that XML errors later point at the right line.
        text.Append('\n', xml[..close].Count('\n'));
        return close + 1;
    }

    /// <summary>The entity reference at the start of <paramref name="xml"/>; the caller leaves <see cref="LookAhead"/> characters after it.</summary>
    private static int Entity(ReadOnlySpan<char> xml, StringBuilder text)
    {
        var semicolon = xml[1..Math.Min(35, xml.Length)].IndexOf(';');
        if (semicolon < 0)
        {
            text.Append("&amp;");
            return 1;
        }
        semicolon++;
        var name = xml[1..semicolon];
        if (name is "amp" or "lt" or "gt" or "quot" or "apos")
        {
            text.Append(xml[..(semicolon + 1)]);
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
                    text.Append(xml[..(semicolon + 1)]);
                }
                return semicolon + 1;
            }
        }
        else if (IsName(name))
        {
            var entity = xml[..(semicolon + 1)].ToString();
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
        return 1;
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
