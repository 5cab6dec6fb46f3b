using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace App.Worker.Feeds;

/// <summary>
/// Makes feed content safe to show: item HTML through HtmlSanitizer (no scripts, styles, frames,
/// event handlers or non-http URLs; relative URLs made absolute; links open without a referrer),
/// titles reduced to plain text.
/// </summary>
public sealed class ContentCleaner
{
    // Sanitize is safe to call from several threads once the configuration is done.
    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    /// <summary>Sanitized HTML, with relative URLs resolved against <paramref name="baseUrl"/>.</summary>
    public string? Html(string? html, string? baseUrl) =>
        string.IsNullOrWhiteSpace(html) ? null : _sanitizer.Sanitize(html, baseUrl ?? "");

    /// <summary>The text of a title that may hold markup or entities.</summary>
    public string? Text(string? maybeHtml)
    {
        if (string.IsNullOrWhiteSpace(maybeHtml))
        {
            return null;
        }
        var text = new HtmlParser().ParseDocument($"<body>{maybeHtml}").Body?.TextContent ?? maybeHtml;
        var collapsed = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return collapsed.Length == 0 ? null : collapsed;
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedTags.Remove("style");
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedAttributes.Add("rel");
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { LocalName: "a" } a)
            {
                a.SetAttribute("rel", "noopener noreferrer");
            }
        };
        return sanitizer;
    }
}
