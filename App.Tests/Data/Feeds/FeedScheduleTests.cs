using App.Data.Feeds;

namespace App.Tests.Data.Feeds;

public sealed class FeedScheduleTests
{
    private static readonly DateTime Now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(4, 16)]
    [InlineData(5, 24)]
    [InlineData(40, 24)]
    public void Backoff_DoublesPerFailure_CappedAtADay(int failures, double hours) =>
        Assert.Equal(TimeSpan.FromHours(hours), FeedSchedule.Backoff(Hour, failures));

    [Fact]
    public void Backoff_NeverShortensAnIntervalLongerThanTheCap() =>
        Assert.Equal(TimeSpan.FromDays(2), FeedSchedule.Backoff(TimeSpan.FromDays(2), 3));

    [Fact]
    public void Failed_CountsTheFailure_AndPushesTheNextRefreshBack()
    {
        var feed = new Feed { Url = "https://x.example/feed", ConsecutiveFailures = 1 };

        FeedSchedule.Failed(feed, Now, Hour, retryAfter: null);

        Assert.Equal(2, feed.ConsecutiveFailures);
        Assert.Equal(Now.AddHours(4), feed.NextRefreshAt);
    }

    [Fact]
    public void Failed_HonoursALaterRetryAfter()
    {
        var feed = new Feed { Url = "https://x.example/feed" };

        FeedSchedule.Failed(feed, Now, Hour, retryAfter: Now.AddHours(6));

        Assert.Equal(Now.AddHours(6), feed.NextRefreshAt);
    }

    [Fact]
    public void Succeeded_ResetsTheFailures_AndSchedulesOneIntervalAhead()
    {
        var feed = new Feed { Url = "https://x.example/feed", ConsecutiveFailures = 3 };

        FeedSchedule.Succeeded(feed, Now, Hour);

        Assert.Equal(0, feed.ConsecutiveFailures);
        Assert.Equal(Now.AddHours(1), feed.NextRefreshAt);
    }
}
