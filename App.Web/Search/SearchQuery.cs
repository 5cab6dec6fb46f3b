using Microsoft.Data.Sqlite;

namespace App.Web.Search;

/// <summary>
/// What a reader types into the search box, as an FTS5 query: every word is quoted (so <c>-</c>,
/// <c>:</c>, <c>*</c>, <c>^</c> and parentheses in it are text, never operators) and matched as a
/// prefix (<c>datab</c> finds "database"); a "quoted phrase" matches as written; <c>AND</c>,
/// <c>OR</c> and <c>NOT</c> in capitals stay operators. Words match in the title or the text,
/// all of them unless joined by OR.
/// </summary>
public static class SearchQuery
{
    /// <summary>The longest search accepted; beyond it the box's text is a paste gone wrong.</summary>
    public const int MaxLength = 500;

    /// <summary>The FTS5 expression for <paramref name="text"/>; null when it holds nothing to search for.</summary>
    public static string? ToMatch(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var parts = new List<string>();
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
                if (!string.IsNullOrWhiteSpace(phrase))
                {
                    parts.Add(Quote(phrase));
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
                parts.Add(word);
            }
            else if (word.Any(char.IsLetterOrDigit))
            {
                parts.Add(Quote(word) + "*");
            }
        }
        return parts.Count == 0 ? null : string.Join(' ', parts);
    }

    /// <summary>
    /// A readable sentence when <paramref name="e"/> is FTS5 refusing the query (an operator with
    /// nothing on one side, like <c>OR</c> alone); null for any other error, which is not the reader's.
    /// </summary>
    public static string? SyntaxError(SqliteException e)
    {
        const string prefix = "fts5: syntax error near ";
        var at = e.Message.IndexOf(prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return e.Message.Contains("fts5:", StringComparison.Ordinal) ? "The search could not be read." : null;
        }
        var near = e.Message[(at + prefix.Length)..].TrimEnd('.', '\'');
        return $"The search could not be read near {near}: AND, OR and NOT need a word on each side (put them in quotes to search for the word).";
    }

    // The scan never lets a double quote into a word or phrase, so quoting needs no escaping.
    private static string Quote(string text) => "\"" + text + "\"";
}
