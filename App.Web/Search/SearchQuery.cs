using System.Globalization;
using System.Text;
using App.Data;

namespace App.Web.Search;

/// <summary>
/// What a reader types into the search box, read once and written out for either engine: a word
/// matches that word, a word ending in <c>*</c> any word that starts with it (<c>datab*</c> finds
/// "database"), a "quoted phrase" as written, and <c>AND</c>, <c>OR</c> and <c>NOT</c> in capitals
/// are operators (NOT binds tightest, then AND, then OR; words side by side must all match).
/// Anything else in a word (<c>-</c>, <c>:</c>, <c>^</c>, parentheses, a <c>*</c> inside it) is
/// text, never an operator. Words match in the title or the text, whatever their case and accents.
/// </summary>
/// <remarks>
/// Whole words by default, because an index answers a whole word from that word's own list, newest
/// first, and stops when a page is full; a prefix longer than the prefixes SQLite's index keeps
/// (<see cref="IndexedPrefixLength"/>) is answered by merging the lists of every word that starts
/// with it before the first row, 200 ms and more for a common word in a million items. Asking for
/// it with <c>*</c> keeps that cost to the searches that want it.
/// </remarks>
public sealed class SearchQuery
{
    /// <summary>The longest search accepted; beyond it the box's text is a paste gone wrong.</summary>
    public const int MaxLength = 500;

    /// <summary>The longest prefix FTS5 keeps an index of (<c>prefix='1 2 3'</c>, migration ItemSearchPrefixes).</summary>
    public const int IndexedPrefixLength = 3;

    private readonly List<Part> _parts;

    private SearchQuery(List<Part> parts, string? error)
    {
        _parts = parts;
        Error = error;
    }

    /// <summary>A readable sentence when the search cannot be read (an operator without a word on each side); null when it can.</summary>
    public string? Error { get; }

    /// <summary>The search in <paramref name="text"/>; null when it holds neither a word nor an operator.</summary>
    public static SearchQuery? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var parts = new List<Part>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            if (text[i] == '"')
            {
                // A phrase runs to the next quote, or to the end when it is never closed.
                var close = text.IndexOf('"', i + 1);
                var phrase = close < 0 ? text[(i + 1)..] : text[(i + 1)..close];
                i = close < 0 ? text.Length : close + 1;
                if (Tokens(phrase) is { Count: > 0 } tokens)
                {
                    parts.Add(new Part(PartKind.Phrase, tokens));
                }
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"')
            {
                i++;
            }
            var word = text[start..i];
            if (word is "AND" or "OR" or "NOT")
            {
                parts.Add(new Part(Enum.Parse<PartKind>(word, ignoreCase: true), []));
            }
            else if (Tokens(word) is { Count: > 0 } tokens)
            {
                // The star must follow the word's last letter: "datab*" asks for a prefix, "*" or "datab-*" does not.
                var prefix = word.Length > 1 && word[^1] == '*' && char.IsLetterOrDigit(word[^2]);
                parts.Add(new Part(prefix ? PartKind.Prefix : PartKind.Word, tokens));
            }
        }
        return parts.Count == 0 ? null : new SearchQuery(parts, Check(parts));
    }

    /// <summary>
    /// True when a word asks for a prefix longer than <see cref="IndexedPrefixLength"/>: FTS5 then
    /// reads every word that starts with it each time it is asked, so a plan that asks once per
    /// candidate row must not be used.
    /// </summary>
    public bool HasLongPrefix => _parts.Any(p => p.Kind == PartKind.Prefix && p.Tokens[^1].Length > IndexedPrefixLength);

    /// <summary>The search as <paramref name="engine"/>'s full-text index reads it (see <see cref="ToFts5"/>, <see cref="ToTsQuery"/>).</summary>
    public string For(DatabaseEngine engine) => engine == DatabaseEngine.Postgres ? ToTsQuery() : ToFts5();

    /// <summary>
    /// An FTS5 expression: each word or phrase quoted (so nothing in it is an operator), a prefix
    /// followed by <c>*</c>. A word FTS5's tokenizer splits (<c>e-mail</c>) becomes a phrase of its
    /// pieces, as in the text (of a prefix, the last piece is the prefix).
    /// </summary>
    public string ToFts5() => string.Join(' ', _parts.Select(p => p.Kind switch
    {
        PartKind.Prefix => Quote(p.Tokens, " ") + "*",
        PartKind.Word or PartKind.Phrase => Quote(p.Tokens, " "),
        _ => p.Kind.ToString().ToUpperInvariant(),
    }));

    /// <summary>
    /// A <c>tsquery</c> for <c>to_tsquery</c>: words side by side and AND are <c>&amp;</c>, OR is
    /// <c>|</c>, <c>a NOT b</c> is <c>a &amp; !b</c> (the same precedence as FTS5's), a phrase's
    /// words follow each other (<c>&lt;-&gt;</c>), and a prefix's last piece is a prefix (<c>:*</c>).
    /// </summary>
    public string ToTsQuery()
    {
        var text = new StringBuilder();
        var previous = PartKind.And;
        foreach (var part in _parts)
        {
            if (part.IsTerm)
            {
                if (IsTermKind(previous))
                {
                    text.Append(" & ");
                }
                var lexemes = part.Tokens.Select(Lexeme).ToList();
                if (part.Kind == PartKind.Prefix)
                {
                    lexemes[^1] += ":*";
                }
                text.Append(lexemes.Count == 1 ? lexemes[0] : "(" + string.Join(" <-> ", lexemes) + ")");
            }
            else
            {
                text.Append(part.Kind switch
                {
                    PartKind.And => " & ",
                    PartKind.Or => " | ",
                    _ => " & !",
                });
            }
            previous = part.Kind;
        }
        return text.ToString();
    }

    // An operator needs a word or phrase on each side; FTS5 would refuse the query otherwise, and
    // to_tsquery too. Checked here so that both engines say the same thing.
    private static string? Check(List<Part> parts)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            if (!parts[i].IsTerm && (i == 0 || i == parts.Count - 1 || !parts[i - 1].IsTerm || !parts[i + 1].IsTerm))
            {
                var near = parts[i].Kind.ToString().ToUpperInvariant();
                return $"The search could not be read near \"{near}\": AND, OR and NOT need a word on each side (put them in quotes to search for the word).";
            }
        }
        return null;
    }

    // The runs of letters and digits (with their combining marks), as both engines' tokenizers cut
    // text into words: whatever else the reader typed is a separator, never syntax.
    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || (current.Length > 0 && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }

    // Tokens hold letters and digits only, so neither quoting needs escaping.
    private static string Quote(List<string> tokens, string separator) => "\"" + string.Join(separator, tokens) + "\"";

    private static string Lexeme(string token) => "'" + token + "'";

    private static bool IsTermKind(PartKind kind) => kind is PartKind.Word or PartKind.Prefix or PartKind.Phrase;

    private enum PartKind
    {
        Word,
        Prefix,
        Phrase,
        And,
        Or,
        Not,
    }

    private sealed record Part(PartKind Kind, List<string> Tokens)
    {
        public bool IsTerm => IsTermKind(Kind);
    }
}
