using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using App.Worker.Feeds.Fetch;

namespace App.Worker.Feeds.Parse;

/// <summary>
/// Turns a fetched body into text. Order of trust: a byte-order mark, then the encoding the XML
/// declaration names (the document's author wrote it; servers often send a generic charset),
/// then the HTTP charset, then UTF-8. Bytes that are not valid UTF-8 when UTF-8 was assumed are
/// read as Windows-1252, the most common mislabelled encoding.
/// </summary>
public static partial class FeedDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static FeedDecoding()
    {
        // Windows-1252 and the other legacy code pages are not available until registered.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>The document's text, without a byte-order mark.</summary>
    public static string Decode(byte[] body, string? httpCharset)
    {
        var (encoding, skip) = EncodingOf(body, httpCharset, offset => Utf8.IsValid(body.AsSpan(offset)));
        return encoding.GetString(body, skip, body.Length - skip);
    }

    /// <summary>
    /// The text of the first <paramref name="maxBytes"/> of <paramref name="body"/>, without a
    /// byte-order mark. A UTF-8 character cut in two at the end is dropped, so that the cut does
    /// not make the start look like another encoding.
    /// </summary>
    public static string DecodeHead(FeedBody body, int maxBytes, string? httpCharset)
    {
        var head = body.Head(maxBytes);
        if (body.Length > head.Length)
        {
            // A lead byte and fewer continuation bytes than it announces: up to three bytes to drop.
            for (var drop = 1; drop <= 3 && drop <= head.Length; drop++)
            {
                var b = head[^drop];
                if ((b & 0xC0) == 0xC0)
                {
                    var needed = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
                    if (needed > drop)
                    {
                        head = head[..^drop];
                    }
                    break;
                }
                if ((b & 0xC0) != 0x80)
                {
                    break;
                }
            }
        }
        return Decode(head, httpCharset);
    }

    /// <summary>
    /// The document's text as a reader over <paramref name="body"/>, without a byte-order mark: a
    /// large feed is decoded as it is parsed instead of being held a second time as one string.
    /// </summary>
    public static TextReader Open(FeedBody body, string? httpCharset)
    {
        var (encoding, skip) = EncodingOf(body.Head(512), httpCharset, body.IsUtf8);
        var bytes = body.Open();
        bytes.Position = skip;
        return new StreamReader(bytes, encoding, detectEncodingFromByteOrderMarks: false);
    }

    /// <summary>
    /// The encoding to read a body starting with <paramref name="head"/> with, and how many bytes of
    /// byte-order mark to skip. <paramref name="isUtf8From"/> tells whether the body is valid UTF-8 from an offset on.
    /// </summary>
    private static (Encoding Encoding, int Skip) EncodingOf(byte[] head, string? httpCharset, Func<int, bool> isUtf8From)
    {
        if (head is [0xEF, 0xBB, 0xBF, ..])
        {
            return (Utf8OrWindows1252(isUtf8From(3)), 3);
        }
        if (head is [0xFF, 0xFE, ..])
        {
            return (Encoding.Unicode, 2);
        }
        if (head is [0xFE, 0xFF, ..])
        {
            return (Encoding.BigEndianUnicode, 2);
        }
        if (head is [(byte)'<', 0, (byte)'?', 0, ..] or [(byte)'<', 0, (byte)'r', 0, ..])
        {
            return (Encoding.Unicode, 0);
        }
        if (head is [0, (byte)'<', 0, (byte)'?', ..] or [0, (byte)'<', 0, (byte)'r', ..])
        {
            return (Encoding.BigEndianUnicode, 0);
        }
        var declared = DeclaredEncoding(head) ?? httpCharset;
        return (Lookup(declared) ?? Utf8OrWindows1252(isUtf8From(0)), 0);
    }

    // Checked up front without decoding, so that the text can then be decoded while it is read.
    private static Encoding Utf8OrWindows1252(bool valid) => valid ? StrictUtf8 : Encoding.GetEncoding(1252);

    /// <summary>The encoding for a declared name; null means UTF-8 (also for names we do not know).</summary>
    private static Encoding? Lookup(string? name)
    {
        var n = name?.Trim().Trim('"', '\'').ToLowerInvariant();
        switch (n)
        {
            case null or "" or "utf-8" or "utf8":
                return null;
            // Declared UTF-16 without a BOM or zero bytes is in fact 8-bit: a copy-pasted declaration.
            case "utf-16" or "utf-16le" or "utf-16be" or "unicode":
                return null;
            // As browsers do: Latin-1 and ASCII labels mean Windows-1252, its superset.
            case "iso-8859-1" or "latin1" or "iso_8859-1" or "us-ascii" or "ascii":
                return Encoding.GetEncoding(1252);
        }
        try
        {
            var e = Encoding.GetEncoding(n);
            return e.CodePage == Encoding.UTF8.CodePage ? null : e;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string? DeclaredEncoding(byte[] body)
    {
        var head = Encoding.Latin1.GetString(body, 0, Math.Min(body.Length, 512));
        var match = XmlDeclarationEncoding().Match(head);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")]
    private static partial Regex XmlDeclarationEncoding();
}
