using App.Worker.Feeds.Fetch;

namespace App.Worker.Feeds;

/// <summary>
/// Small feeds in the common formats, their items in the HTML feeds usually carry, which a worker
/// parses and sanitizes before it claims (<see cref="FetchFeedHandler.WarmUpAsync"/>): the parser,
/// the sanitizer and its CSS tables are compiled then, not in the first refreshes, where four
/// workers starting together spent a quarter to two fifths of their CPU in the JIT for 15-20 s.
/// </summary>
public static class WarmUpFeeds
{
    public static readonly Uri Url = new("https://warm-up.invalid/feed");

    /// <summary>One sample feed, served as its format's media type.</summary>
    public sealed record Sample(string Name, byte[] Body, string MediaType)
    {
        public FetchedDocument Document() => new(Body, MediaType, "utf-8", Url);
    }

    private const string Html = """
        <h2>A heading</h2>
        <p>A paragraph with <a href="/relative/link">a relative link</a>, <strong>strong</strong>, <em>emphasis</em>,
        <code>code</code> and an entity &amp; a non-breaking&nbsp;space.</p>
        <figure><img src="images/photo.jpg" srcset="images/photo-2x.jpg 2x" alt="A photo" width="640" height="480" style="border:0" loading="lazy"><figcaption>A caption</figcaption></figure>
        <ul><li>One</li><li>Two <a href="https://example.org/">elsewhere</a></li></ul>
        <ol><li>First</li></ol>
        <blockquote><p>A quotation.</p></blockquote>
        <pre><code class="language-csharp">var x = 1 &lt; 2;</code></pre>
        <table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>
        <iframe src="https://www.youtube.com/embed/x"></iframe>
        <script>alert(1)</script><style>p { color: red }</style>
        <p onclick="x()" class="note" name="querySelector">Attributes that go.</p>
        <br><hr><span>span</span> <sup>1</sup> <abbr title="abbreviation">abbr</abbr>
        """;

    private static readonly byte[] RssBody = System.Text.Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
        <channel><title>Warm-up</title><link>https://warm-up.invalid/</link><description>A feed parsed before the first job</description>
        <image><url>https://warm-up.invalid/icon.png</url></image>
        <item><title>First &amp; <![CDATA[<b>only</b>]]></title><link>https://warm-up.invalid/1</link><guid isPermaLink="false">warm-up-1</guid>
        <pubDate>Wed, 02 Dec 2026 08:00:00 GMT</pubDate><dc:creator>Someone</dc:creator>
        <description><![CDATA[<p>A summary with <a href="/x">a link</a>.</p>]]></description>
        <content:encoded><![CDATA[{Html}]]></content:encoded>
        <enclosure url="https://warm-up.invalid/episode.mp3" type="audio/mpeg" length="1234"/>
        <media:thumbnail url="https://warm-up.invalid/thumb.jpg"/></item>
        <item><title>Second</title><link>https://warm-up.invalid/2</link><pubDate>Tue, 01 Dec 2026 08:00:00 +0100</pubDate>
        <description>&lt;p&gt;Escaped &lt;em&gt;HTML&lt;/em&gt;.&lt;/p&gt;</description></item>
        </channel></rss>
        """);

    private static readonly byte[] AtomBody = System.Text.Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://warm-up.invalid/">
        <title type="text">Warm-up</title><link rel="alternate" href="https://warm-up.invalid/"/><id>urn:warm-up</id><updated>2026-12-02T08:00:00Z</updated>
        <icon>/icon.png</icon>
        <entry><title type="html">First &lt;b&gt;entry&lt;/b&gt;</title><link rel="alternate" href="/1"/><id>urn:warm-up:1</id>
        <published>2026-12-02T08:00:00Z</published><updated>2026-12-02T09:00:00+01:00</updated><author><name>Someone</name></author>
        <summary type="html">&lt;p&gt;A summary.&lt;/p&gt;</summary>
        <content type="html"><![CDATA[{Html}]]></content></entry>
        <entry><title>Second</title><link href="/2"/><id>urn:warm-up:2</id><updated>2026-12-01T08:00:00Z</updated>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>XHTML content.</p></div></content></entry>
        </feed>
        """);

    private static readonly byte[] JsonBody = System.Text.Encoding.UTF8.GetBytes("""
        {"version": "https://jsonfeed.org/version/1.1", "title": "Warm-up", "home_page_url": "https://warm-up.invalid/",
         "items": [{"id": "1", "url": "https://warm-up.invalid/1", "title": "First", "content_html": "<p>A <a href=\"/x\">link</a>.</p>",
                    "date_published": "2026-12-02T08:00:00Z", "authors": [{"name": "Someone"}]}]}
        """);

    public static readonly IReadOnlyList<Sample> All =
    [
        new("RSS", RssBody, "application/rss+xml"),
        new("Atom", AtomBody, "application/atom+xml"),
        new("JSON Feed", JsonBody, "application/feed+json"),
    ];
}
