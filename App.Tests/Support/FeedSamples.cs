namespace App.Tests.Support;

/// <summary>Small feed documents for tests.</summary>
public static class FeedSamples
{
    /// <summary>An RSS 2.0 feed with <paramref name="count"/> items, newest first, one day apart.</summary>
    public static string Rss(int count = 3, string title = "Test Feed", string? extraItemHtml = null)
    {
        var items = string.Concat(Enumerable.Range(1, count).Reverse().Select(n => $"""
              <item>
                <title>Item {n}</title>
                <link>https://example.com/items/{n}</link>
                <guid>https://example.com/items/{n}</guid>
                <pubDate>{new DateTime(2026, 1, n, 12, 0, 0, DateTimeKind.Utc):R}</pubDate>
                <description><![CDATA[<p>Body of item {n}</p>{extraItemHtml}]]></description>
              </item>
            """));
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0">
              <channel>
                <title>{title}</title>
                <link>https://example.com/</link>
                <description>A feed for tests</description>
            {items}
              </channel>
            </rss>
            """;
    }

    /// <summary>An RSS 2.0 feed of <paramref name="count"/> items a minute apart, newest first, each with some HTML.</summary>
    public static string LargeRss(int count)
    {
        var text = new System.Text.StringBuilder();
        text.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Large</title><link>https://example.com/</link>\n");
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var n = count; n >= 1; n--)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"""
                <item><title>Item {n} &amp; more</title><link>https://example.com/items/{n}</link><guid>item-{n}</guid>
                <pubDate>{start.AddMinutes(n):R}</pubDate>
                <description><![CDATA[<p>Paragraph of item {n} with <a href="/rel/{n}">a link</a> and <b>bold</b> text.</p>]]></description></item>

                """);
        }
        return text.Append("</channel></rss>\n").ToString();
    }

    public const string Atom = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
          <title>Atom &amp; Tests</title>
          <link href="https://atom.example.org/"/>
          <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
          <updated>2026-02-02T10:00:00Z</updated>
          <entry>
            <title type="html">&lt;b&gt;Second&lt;/b&gt; entry</title>
            <link href="/entries/2"/>
            <id>urn:entry:2</id>
            <updated>2026-02-02T10:00:00Z</updated>
            <author><name>Ada</name></author>
            <content type="html">&lt;p&gt;Two&lt;/p&gt;</content>
          </entry>
          <entry>
            <title>First entry</title>
            <link href="https://atom.example.org/entries/1"/>
            <id>urn:entry:1</id>
            <updated>2026-02-01T10:00:00Z</updated>
            <summary>One</summary>
          </entry>
        </feed>
        """;
}
