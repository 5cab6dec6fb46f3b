using System.Net;
using Ganss.Xss;

namespace App.Worker.Feeds;

/// <summary>
/// Makes feed content safe to show: item HTML through HtmlSanitizer (no scripts, styles, frames,
/// forms, event handlers, name/id attributes or non-http URLs; relative URLs made absolute; links
/// open without a referrer).
/// Titles are text from the parser on (<see cref="FeedText"/>) and never pass through here.
/// </summary>
public sealed class ContentCleaner
{
    // Sanitize is safe to call from several threads once the configuration is done.
    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    /// <summary>
    /// Sanitized HTML, with relative URLs resolved against <paramref name="baseUrl"/>. HTML beyond
    /// <see cref="HtmlBounds"/> never reaches the sanitizer's parser: it is kept as its text, in a paragraph.
    /// </summary>
    public string? Html(string? html, string? baseUrl)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return null;
        }
        if (!HtmlBounds.Fits(html, out var bounded))
        {
            return FeedText.FromHtml(bounded) is { } text ? $"<p>{WebUtility.HtmlEncode(text)}</p>" : null;
        }
        return _sanitizer.Sanitize(bounded, baseUrl ?? "");
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedTags.Remove("style");
        // Forms and their controls could post elsewhere or phish; feeds have no need of them.
        foreach (var tag in new[] { "form", "input", "button", "textarea", "select", "option", "optgroup", "fieldset", "legend", "label" })
        {
            sanitizer.AllowedTags.Remove(tag);
        }
        sanitizer.AllowedAttributes.Remove("style");
        // A name or id makes an element a property of document and window (DOM clobbering):
        // <img name="querySelector"> in an item replaced document.querySelector on the item page
        // and stopped its scripts. Item HTML needs neither; form-like attributes go with the forms.
        foreach (var attribute in new[] { "name", "id", "form", "for", "formaction", "formenctype", "formmethod", "formnovalidate", "formtarget" })
        {
            sanitizer.AllowedAttributes.Remove(attribute);
        }
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
