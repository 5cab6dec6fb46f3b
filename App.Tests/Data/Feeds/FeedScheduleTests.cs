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

    [Fact]
    public void IntervalChanged_MovesAHealthyFeedsNextRefresh_ToItsLastFetchPlusTheNewInterval()
    {
        var feed = new Feed { Url = "https://x.example/feed", LastFetchedAt = Now, NextRefreshAt = Now.AddHours(1) };

        FeedSchedule.IntervalChanged(feed, TimeSpan.FromHours(6));
        Assert.Equal(Now.AddHours(6), feed.NextRefreshAt);

        FeedSchedule.IntervalChanged(feed, TimeSpan.FromMinutes(15));
        Assert.Equal(Now.AddMinutes(15), feed.NextRefreshAt);
    }

    [Fact]
    public void IntervalChanged_LeavesAFailingFeedsBackoff_AndANeverFetchedFeedDue()
    {
        var failing = new Feed { Url = "https://x.example/feed", LastFetchedAt = Now, ConsecutiveFailures = 2, NextRefreshAt = Now.AddHours(4) };
        var never = new Feed { Url = "https://y.example/feed" };

        FeedSchedule.IntervalChanged(failing, TimeSpan.FromMinutes(15));
        FeedSchedule.IntervalChanged(never, TimeSpan.FromMinutes(15));

        Assert.Equal(Now.AddHours(4), failing.NextRefreshAt);
        Assert.Null(never.NextRefreshAt);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(15, true)]
    [InlineData(1440, true)]
    [InlineData(14, false)]
    [InlineData(1441, false)]
    [InlineData(0, false)]
    [InlineData(-60, false)]
    public void RefreshMinutes_AreBetweenAQuarterOfAnHourAndADay(int? minutes, bool valid) =>
        Assert.Equal(valid, FeedSettings.RefreshMinutesError(minutes) is null);

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Reader/1.0)", true)]
    [InlineData("evil\r\nX-Injected: yes", false)]
    [InlineData("tab\there", false)]
    [InlineData("caf\u00e9", false)]
    public void UserAgents_ArePrintableAsciiOnOneLine(string escaped, bool valid) =>
        Assert.Equal(valid, FeedSettings.UserAgentError(System.Text.RegularExpressions.Regex.Unescape(escaped)) is null);

    [Fact]
    public void UserAgents_AreTrimmed_AndEmptyMeansTheReadersOwn()
    {
        Assert.Null(FeedSettings.NormalizeUserAgent("   "));
        Assert.Equal("Agent/1", FeedSettings.NormalizeUserAgent("  Agent/1 "));
        Assert.NotNull(FeedSettings.UserAgentError(new string('a', FeedSettings.MaxUserAgentLength + 1)));
    }
}
