using App.Web.Feeds;

namespace App.Tests.Web.Feeds;

public sealed class FeedUrlTests
{
    [Theory]
    [InlineData("https://example.com/feed.xml", "https://example.com/feed.xml")]
    [InlineData("  http://example.com/feed  ", "http://example.com/feed")]
    [InlineData("HTTPS://Example.COM/Feed.xml", "https://example.com/Feed.xml")]
    [InlineData("https://example.com:443/feed", "https://example.com/feed")]
    [InlineData("http://example.com:8080/feed", "http://example.com:8080/feed")]
    [InlineData("https://example.com/feed#section", "https://example.com/feed")]
    [InlineData("https://example.com/feed?format=rss&x=1", "https://example.com/feed?format=rss&x=1")]
    [InlineData("https://example.com", "https://example.com/")]
    [InlineData("https://example.com/a b", "https://example.com/a%20b")]
    public void TryNormalize_AcceptsHttpAddresses_InOneSpelling(string input, string expected)
    {
        Assert.True(FeedUrl.TryNormalize(input, out var url, out var error), error);
        Assert.Equal(expected, url);
    }

    [Theory]
    [InlineData(null, "Enter the feed's address.")]
    [InlineData("", "Enter the feed's address.")]
    [InlineData("not a url", "absolute http or https")]
    [InlineData("/relative", "absolute http or https")]
    [InlineData("ftp://example.com/feed", "absolute http or https")]
    [InlineData("javascript:alert(1)", "absolute http or https")]
    [InlineData("http://", "absolute http or https")]
    [InlineData("https://me:pw@example.com/feed", "user name or password")]
    public void TryNormalize_RejectsOtherInput_WithAReason(string? input, string reason)
    {
        Assert.False(FeedUrl.TryNormalize(input, out var url, out var error));
        Assert.Null(url);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void TryNormalize_RejectsAddressesLongerThanTheColumn()
    {
        Assert.False(FeedUrl.TryNormalize("https://example.com/" + new string('a', FeedUrl.MaxLength), out _, out var error));
        Assert.Contains("too long", error);
    }
}
