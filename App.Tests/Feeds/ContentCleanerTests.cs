using App.Worker.Feeds;

namespace App.Tests.Feeds;

public sealed class ContentCleanerTests
{
    private readonly ContentCleaner _cleaner = new();

    [Theory]
    [InlineData("<p>Hi<script>window.pwned = 1</script></p>", "<script")]
    [InlineData("<img src=\"https://x.test/a.png\" onerror=\"window.pwned = 1\">", "onerror")]
    [InlineData("<p onclick=\"steal()\">Hi</p>", "onclick")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "javascript:")]
    [InlineData("<iframe src=\"https://evil.test/\"></iframe>", "<iframe")]
    [InlineData("<object data=\"x.swf\"></object>", "<object")]
    [InlineData("<style>body{display:none}</style><p>x</p>", "<style")]
    [InlineData("<p style=\"position:fixed\">x</p>", "style=")]
    [InlineData("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "data:")]
    public void Html_RemovesWhatCouldRunOrHijackThePage(string html, string forbidden)
    {
        var clean = _cleaner.Html(html, "https://example.com/post/1");
        Assert.DoesNotContain(forbidden, clean, StringComparison.OrdinalIgnoreCase);
    }

    // Named elements become properties of document and window (DOM clobbering): an item's
    // <img name="querySelector"> would replace document.querySelector on the item page.
    [Theory]
    [InlineData("<img name=\"querySelector\" src=\"https://x.test/a.png\">", "name=")]
    [InlineData("<a id=\"keys\" href=\"https://x.test/\">x</a>", "id=")]
    [InlineData("<p id=\"__proto__\">x</p>", "id=")]
    [InlineData("<img form=\"f\" src=\"https://x.test/a.png\">", "form=")]
    [InlineData("<a name=\"top\">x</a>", "name=")]
    [InlineData("<map name=\"m\"><area href=\"https://x.test/\"></map><img usemap=\"#m\" src=\"https://x.test/a.png\">", "name=")]
    public void Html_DropsAttributesThatNameAnElement(string html, string forbidden)
    {
        var clean = _cleaner.Html(html, "https://example.com/post/1");
        Assert.DoesNotContain(forbidden, clean, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Html_KeepsOrdinaryMarkup_ResolvesRelativeUrls_AndMakesLinksReferrerFree()
    {
        var clean = _cleaner.Html("<p>Read <a href=\"/more\">more</a> <img src=\"pic.png\" alt=\"pic\"></p>", "https://example.com/post/1");

        Assert.Contains("<p>Read ", clean);
        Assert.Contains("href=\"https://example.com/more\"", clean);
        Assert.Contains("src=\"https://example.com/post/pic.png\"", clean);
        Assert.Contains("rel=\"noopener noreferrer\"", clean);
    }

    [Theory]
    [InlineData("<b>Bold</b> title", "Bold title")]
    [InlineData("Fish &amp; Chips", "Fish & Chips")]
    [InlineData("  spaced \n  out ", "spaced out")]
    [InlineData("<script>alert(1)</script>Safe", "alert(1)Safe")]
    public void FromHtml_ReducesHtmlTitlesToPlainText(string title, string expected) =>
        Assert.Equal(expected, FeedText.FromHtml(title));
}
