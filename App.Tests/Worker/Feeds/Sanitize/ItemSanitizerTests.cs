using App.Worker.Feeds;
using App.Worker.Feeds.Sanitize;

namespace App.Tests.Worker.Feeds.Sanitize;

public sealed class ItemSanitizerTests
{
    private readonly ItemSanitizer _cleaner = new();

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

    public static TheoryData<string, string> HostileHtml => new()
    {
        // 20,000 nested elements: the parser walks every open level for every tag.
        { "nested", string.Concat(Enumerable.Repeat("<div>", 20_000)) + "deep text" + string.Concat(Enumerable.Repeat("</div>", 20_000)) },
        // Formatting elements left open are re-created in every later paragraph: 300 x 300.
        { "reopened", "<p>" + string.Concat(Enumerable.Range(0, 300).Select(i => $"<b class=\"c{i}\">")) + "</p>" + string.Concat(Enumerable.Repeat("<p>deep text</p>", 300)) },
        { "many", string.Concat(Enumerable.Repeat("<span>deep text</span>", 50_000)) },
    };

    [Theory]
    [MemberData(nameof(HostileHtml))]
    public void Html_BeyondItsBounds_IsKeptAsText_WithoutATreeBeingBuilt(string shape, string html)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var clean = _cleaner.Html(html, "https://example.com/post/1");

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.StartsWith("<p>deep text", clean);
        Assert.Equal(2, clean!.Count(c => c == '<'));
        // The input itself is 0.2-1.1 MB of text; a tree of it took 35-180 MB.
        Assert.True(allocated < 16 * 1024 * 1024, $"{shape}: {allocated / 1048576.0:0.0} MB allocated");
    }

    [Fact]
    public void Html_LongerThanItsBound_IsCut()
    {
        var html = string.Concat(Enumerable.Repeat("<p>Some text, at length. </p>\n", HtmlBounds.MaxChars / 500))
            + string.Concat(Enumerable.Repeat("A very long paragraph. ", HtmlBounds.MaxChars / 20));

        var clean = _cleaner.Html(html, "https://example.com/post/1")!;

        Assert.True(clean.Length <= HtmlBounds.MaxChars, $"{clean.Length} characters");
        Assert.StartsWith("<p>Some text, at length. </p>", clean);
        Assert.Contains("A very long paragraph. ", clean);
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
    [InlineData("<script>alert(1)</script>Safe", "Safe")]
    [InlineData("<style>b { color: red }</style>Plain <SCRIPT type=\"x\">var a = \"</b>\";</SCRIPT>text", "Plain text")]
    public void FromHtml_ReducesHtmlTitlesToPlainText(string title, string expected) =>
        Assert.Equal(expected, FeedText.FromHtml(title));
}
