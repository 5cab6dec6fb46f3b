using System.Globalization;
using System.Text;

namespace App.Bench.Feeds;

/// <summary>Generated RSS 2.0 feeds of realistic shape: HTML descriptions, dates, guids, some entities.</summary>
public static class LargeFeed
{
    /// <summary>A feed of exactly <paramref name="items"/> items.</summary>
    public static byte[] WithItems(int items) => Encoding.UTF8.GetBytes(Build(items, long.MaxValue).Text);

    /// <summary>A feed just under <paramref name="bytes"/> bytes, and how many items it holds.</summary>
    public static (byte[] Body, int Items) OfSize(long bytes)
    {
        var (text, count) = Build(int.MaxValue, bytes);
        return (Encoding.UTF8.GetBytes(text), count);
    }

    private static (string Text, int Items) Build(int items, long maxBytes)
    {
        const string tail = "</channel></rss>\n";
        var text = new StringBuilder();
        text.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Bench &amp; feed</title><link>https://example.com/</link>\n");
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var count = 0;
        for (var n = 1; n <= items; n++)
        {
            var item = string.Create(CultureInfo.InvariantCulture, $"""
                <item><title>Item {n}: caf&eacute; &amp; more</title><link>https://example.com/items/{n}</link><guid>item-{n}</guid>
                <pubDate>{start.AddMinutes(n):R}</pubDate><author>author{n % 17}@example.com</author>
                <description><![CDATA[<p>Paragraph of item {n} with <a href="/rel/{n}">a link</a>, <b>bold</b> and <img src="img/{n}.png" alt="x"> text. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>]]></description></item>

                """);
            if (text.Length + item.Length + tail.Length > maxBytes)
            {
                break;
            }
            text.Append(item);
            count++;
        }
        return (text.Append(tail).ToString(), count);
    }

    /// <summary>A feed of <paramref name="items"/> ordinary items and one whose HTML nests <paramref name="depth"/> elements.</summary>
    public static byte[] WithNestedItem(int items, int depth)
    {
        var feed = Build(items, long.MaxValue).Text;
        var nested = string.Concat(Enumerable.Repeat("<div>", depth)) + "deep text" + string.Concat(Enumerable.Repeat("</div>", depth));
        var item = $"<item><title>Nested</title><link>https://example.com/nested</link><guid>nested</guid><description><![CDATA[{nested}]]></description></item>\n";
        return Encoding.UTF8.GetBytes(feed.Replace("</channel></rss>", item + "</channel></rss>", StringComparison.Ordinal));
    }

    /// <summary>A web page of about <paramref name="bytes"/> bytes of nested tags, with no feed link.</summary>
    public static byte[] PageOfTags(long bytes)
    {
        var text = new StringBuilder("<!DOCTYPE html><html><head><title>Tags</title></head><body>");
        while (text.Length < bytes - 11)
        {
            text.Append("<div><span>");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
