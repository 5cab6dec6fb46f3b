using System.Text;
using App.Web.Opml;

namespace App.Tests.Web.Opml;

public sealed class OpmlReaderTests
{
    [Fact]
    public void Parse_FindsFeedsAtAnyDepth_WithTitleOrTextAsTheName_AnyCaseOfTheAttributes_AndTheirFolderPath()
    {
        var outlines = Parse("""
            <opml version="1.0"><head/><body>
              <outline text="News">
                <outline text="Inner" title="Inner title" xmlUrl=" https://a.example/feed " htmlUrl="https://a.example/"/>
                <outline text="Deeper"><outline text="B" XMLURL="https://b.example/rss"/></outline>
              </outline>
              <outline text="Empty" xmlUrl="  "/>
            </body></opml>
            """);

        Assert.Equal(
            [
                new OpmlOutline("https://a.example/feed", "Inner title", "https://a.example/", "News"),
                new OpmlOutline("https://b.example/rss", "B", null, "News / Deeper"),
            ],
            outlines);
    }

    [Theory]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><opml><body><outline xmlUrl="&lol2;"/></body></opml>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><opml><body><outline xmlUrl="&xxe;"/></body></opml>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://127.0.0.1:1/opml.dtd"><opml><body><outline xmlUrl="https://a.example/"/></body></opml>""")]
    public void Parse_RefusesAnyDtd(string opml)
    {
        var error = Assert.Throws<OpmlException>(() => Parse(opml));

        Assert.Contains("declares a DTD", error.Message);
    }

    [Fact]
    public async Task ReadAsync_StopsReadingPastOneMebibyte_EvenWhenTheLengthIsUnknown()
    {
        var big = Encoding.UTF8.GetBytes("<opml><body>" + new string(' ', OpmlReader.MaxBytes) + "</body></opml>");
        await using var stream = new UnknownLengthStream(big);

        var error = await Assert.ThrowsAsync<OpmlException>(() => OpmlReader.ReadAsync(stream, default));

        Assert.Contains("larger than 1 MiB", error.Message);
    }

    private static IReadOnlyList<OpmlOutline> Parse(string opml) => OpmlReader.Parse(new MemoryStream(Encoding.UTF8.GetBytes(opml)));

    /// <summary>A stream that, like a network body, cannot tell its length up front.</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
