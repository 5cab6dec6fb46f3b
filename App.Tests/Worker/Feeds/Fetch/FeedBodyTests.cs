using System.Text;
using App.Worker.Feeds;
using App.Worker.Feeds.Fetch;
using App.Worker.Feeds.Parse;

namespace App.Tests.Worker.Feeds.Fetch;

public sealed class FeedBodyTests
{
    private static async Task<FeedBody> ReadAsync(byte[] bytes, long max = 10 * 1024 * 1024) =>
        await FeedBody.ReadAsync(new MemoryStream(bytes), max, null, () => new FeedException("too large", retryable: false), CancellationToken.None);

    [Theory]
    [InlineData(10)]
    [InlineData(FeedBody.InMemoryLimit + 70_000)]
    public async Task ABody_ReadsBackWhole_WhetherInMemoryOrSpooled(int size)
    {
        var bytes = Enumerable.Range(0, size).Select(i => (byte)('a' + (i % 26))).ToArray();

        using var body = await ReadAsync(bytes);

        Assert.Equal(size, body.Length);
        Assert.Equal(bytes, body.ToArray());
        Assert.Equal(bytes[..5], body.Head(5));
        using var stream = body.Open();
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task ABodyOverTheCap_Throws_WhileReading()
    {
        var e = await Assert.ThrowsAsync<FeedException>(() => ReadAsync(new byte[FeedBody.InMemoryLimit * 2], max: FeedBody.InMemoryLimit + 1));
        Assert.Equal("too large", e.Message);
    }

    [Fact]
    public async Task ALargeFeedThatIsNotUtf8AfterItsFirstMegabyte_IsReadAsWindows1252()
    {
        var text = "<?xml version=\"1.0\"?><t>" + new string('x', FeedBody.InMemoryLimit + 10) + "caf\u00e9</t>";
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        using var body = await ReadAsync(Encoding.GetEncoding(1252).GetBytes(text));

        Assert.False(body.IsUtf8(0));
        using var reader = FeedDecoding.Open(body, null);
        Assert.EndsWith("caf\u00e9</t>", reader.ReadToEnd());
    }
}
