using System.Net;
using AngleSharp.Html.Parser;

namespace App.Worker.Feeds;

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
    /// Miniflux reads it): entities are decoded, anything that looks like a tag stays as text.
    /// </summary>
    public static string? DecodedText(string? text) => Collapse(text is null ? null : WebUtility.HtmlDecode(text));

    /// <summary>The text of an HTML fragment: tags dropped, entities decoded.</summary>
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
        var body = new HtmlParser().ParseDocument($"<body>{html}").Body;
        return Collapse(body?.TextContent ?? html);
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
