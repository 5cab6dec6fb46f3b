using System.Text;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;

namespace App.Tests.Worker.Feeds.Parse;

public sealed class FeedDecodingTests
{
    [Fact]
    public void DecodeHead_CutInsideAUtf8Character_StillReadsTheStartAsUtf8()
    {
        // 3 + 2 * 5 bytes: a cut after 6 bytes splits the second "é".
        var body = new FeedBody(Encoding.UTF8.GetBytes("<a>ééééé"));

        var head = FeedDecoding.DecodeHead(body, 6, null);

        Assert.Equal("<a>é", head);
    }
}
