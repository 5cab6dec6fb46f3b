using System.Net;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Store;
using Ganss.Xss;

namespace App.Worker.Feeds.Sanitize;

/// <summary>
/// Makes feed content safe to show and stages each item for storing: item HTML through HtmlSanitizer (no scripts, styles, frames,
/// forms, event handlers, name/id attributes or non-http URLs; relative URLs made absolute; links
/// open without a referrer).
/// Titles are text from the parser on (<see cref="FeedText"/>) and never pass through here.
/// </summary>
public sealed class ItemSanitizer
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

    /// <summary>
    /// What a refresh stores of an item: its identity (<see cref="ItemKeys"/>), its title as
    /// collapsed text, its summary and content sanitized (relative URLs resolved against the item's
    /// base, else its link, else <paramref name="fallbackBaseUrl"/>), a plain-text excerpt, and the
    /// content's plain text, which search indexes.
    /// </summary>
    public StagedItem Stage(ParsedItem item, string fallbackBaseUrl)
    {
        var baseUrl = item.BaseUrl ?? item.Link ?? fallbackBaseUrl;
        var summary = Html(item.Summary, baseUrl);
        var content = Html(item.Content, baseUrl) ?? summary;
        return new StagedItem(
            ItemKeys.Of(item), item.Guid, FeedText.Collapse(item.Title), item.Link, item.Author, item.PublishedAt, item.UpdatedAt,
            summary, content, FeedText.Excerpt(summary ?? content), FeedText.FromHtml(content),
            item.Enclosure?.Url, item.Enclosure?.MediaType, item.Enclosure?.Length);
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
