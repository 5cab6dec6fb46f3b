using App.Worker.Feeds;
using App.Worker.Feeds.Sanitize;

namespace App.Tests.Worker.Feeds.Sanitize;

public sealed class FeedTextTests
{
    [Theory]
    [InlineData("<p>First para.</p><p>Second <b>bold</b>er para &amp; more.</p>", "First para. Second bolder para & more.")]
    [InlineData("<ul><li>one</li><li>two</li></ul>", "one two")]
    [InlineData("Plain text, no tags", "Plain text, no tags")]
    [InlineData("<p>&lt;script&gt; is text here</p>", "<script> is text here")]
    [InlineData("<p>   </p><br>", null)]
    [InlineData(null, null)]
    public void Excerpt_IsTheTextOfTheHtml(string? html, string? expected) =>
        Assert.Equal(expected, FeedText.Excerpt(html));

    [Fact]
    public void Excerpt_OfALongArticle_IsCutAtAWordWithAnEllipsis()
    {
        var words = string.Join(' ', Enumerable.Range(1, 2000).Select(i => $"word{i}"));

        var excerpt = FeedText.Excerpt($"<article><p>{words}</p></article>", max: 100)!;

        Assert.EndsWith("…", excerpt);
        Assert.InRange(excerpt.Length, 50, 101);
        Assert.StartsWith("word1 word2 word3", excerpt);
        Assert.Matches(@"word\d+…$", excerpt);
    }
}
