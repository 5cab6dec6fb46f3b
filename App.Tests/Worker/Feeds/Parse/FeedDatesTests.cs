using App.Worker.Feeds;
using App.Worker.Feeds.Parse;

namespace App.Tests.Worker.Feeds.Parse;

public sealed class FeedDatesTests
{
    [Theory]
    [InlineData("Tue, 10 Jun 2025 04:00:00 GMT", "2025-06-10T04:00:00Z")]
    [InlineData("Tue, 10 Jun 2025 04:00:00 +0000", "2025-06-10T04:00:00Z")]
    [InlineData("Mon, 10 Jun 2025 00:00:00 EDT", "2025-06-10T04:00:00Z")]
    [InlineData("10 Jun 2025 06:00 +02:00", "2025-06-10T04:00:00Z")]
    [InlineData("Tuesday, 10 June 2025 04:00:00 UT", "2025-06-10T04:00:00Z")]
    [InlineData("Tue, 10 Jun 25 04:00:00 Z", "2025-06-10T04:00:00Z")]
    [InlineData("Tue, 10 Jun 2025 04:00:00", "2025-06-10T04:00:00Z")]
    [InlineData("2025-06-10T04:00:00Z", "2025-06-10T04:00:00Z")]
    [InlineData("2025-06-10T06:00:00.123+02:00", "2025-06-10T04:00:00.123Z")]
    [InlineData("2025-06-10", "2025-06-10T00:00:00Z")]
    public void Parse_ReadsRealWorldDates_AsUtc(string text, string expected)
    {
        var parsed = FeedDates.Parse(text);
        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal), parsed);
        Assert.Equal(DateTimeKind.Utc, parsed!.Value.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("Wed, 32 Foo 2026 99:99:99 GMT")]
    [InlineData("0001-01-01T00:00:00Z")]
    public void Parse_GivesNull_ForWhatIsNoDate(string? text) => Assert.Null(FeedDates.Parse(text));
}
