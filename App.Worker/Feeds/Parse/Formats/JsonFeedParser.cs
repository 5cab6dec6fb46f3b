using System.Net;
using System.Text.Json;
using App.Worker.Feeds.Parse;
using App.Worker.Feeds.Sanitize;

namespace App.Worker.Feeds.Parse.Formats;

/// <summary>JSON Feed 1.0 and 1.1 (https://jsonfeed.org). Titles are plain text by the spec.</summary>
public static class JsonFeedParser
{
    /// <summary>Parses <paramref name="json"/>, handing each item to <paramref name="onItem"/>; returns the feed without items.</summary>
    public static ParsedFeed Parse(string json, Uri documentUrl, Action<ParsedItem, ParsedFeed> onItem)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new FeedException($"Invalid JSON at line {e.LineNumber + 1}: {e.Message}", retryable: false, e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !(Str(root, "version")?.Contains("jsonfeed.org/version", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                throw new FeedException("Not a feed: the JSON document is not a JSON Feed", retryable: false);
            }
            var head = new ParsedFeed(
                FeedText.PlainText(Str(root, "title")),
                FeedText.Absolute(Str(root, "home_page_url"), documentUrl),
                FeedText.Absolute(Str(root, "icon") ?? Str(root, "favicon"), documentUrl),
                []);
            if (root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                {
                    onItem(Item(item, documentUrl), head);
                }
            }
            return head;
        }
    }

    private static ParsedItem Item(JsonElement item, Uri documentUrl)
    {
        var link = FeedText.Absolute(Str(item, "url") ?? Str(item, "external_url"), documentUrl);
        var text = Str(item, "content_text");
        var attachment = item.TryGetProperty("attachments", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().FirstOrDefault(x => x.ValueKind == JsonValueKind.Object)
            : default;
        var enclosure = attachment.ValueKind == JsonValueKind.Object && FeedText.Absolute(Str(attachment, "url"), documentUrl) is { } url
            ? new ParsedEnclosure(url, Str(attachment, "mime_type"), attachment.TryGetProperty("size_in_bytes", out var size) && size.TryGetInt64(out var n) && n > 0 ? n : null)
            : null;
        var published = FeedDates.Parse(Str(item, "date_published"));
        var updated = FeedDates.Parse(Str(item, "date_modified"));
        return new ParsedItem(Str(item, "id"), FeedText.PlainText(Str(item, "title")), link)
        {
            // 1.1 has "authors"; 1.0 has "author".
            Author = FeedText.Collapse(AuthorName(item)),
            PublishedAt = published ?? updated,
            UpdatedAt = updated,
            Summary = FeedText.Trim(Str(item, "summary")),
            Content = FeedText.Trim(Str(item, "content_html")) ?? (FeedText.Trim(text) is { } t ? WebUtility.HtmlEncode(t).Replace("\n", "<br>") : null),
            Enclosure = enclosure,
        };
    }

    private static string? AuthorName(JsonElement item)
    {
        if (item.TryGetProperty("authors", out var authors) && authors.ValueKind == JsonValueKind.Array)
        {
            foreach (var author in authors.EnumerateArray())
            {
                if (author.ValueKind == JsonValueKind.Object && Str(author, "name") is { } name)
                {
                    return name;
                }
            }
        }
        return item.TryGetProperty("author", out var single) && single.ValueKind == JsonValueKind.Object ? Str(single, "name") : null;
    }

    /// <summary>A string property; numbers are given as text (some feeds number their ids).</summary>
    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => FeedText.Trim(v.GetString()),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
