using App.Data.Queue;

namespace App.Tests.Data.Queue;

public sealed class RetryPolicyTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(4, 80)]
    [InlineData(5, 160)]
    [InlineData(6, 300)]
    [InlineData(50, 300)]
    public void Delay_DoublesPerFailedAttempt_UpToTheCap(int failedAttempts, double expectedSeconds)
    {
        var middle = RetryPolicy.Delay(failedAttempts, Base, Max, random01: 0.5);
        Assert.Equal(expectedSeconds, middle.TotalSeconds, precision: 6);
    }

    [Fact]
    public void Delay_JitterStaysWithinAQuarterEitherWay()
    {
        Assert.Equal(7.5, RetryPolicy.Delay(1, Base, Max, 0).TotalSeconds, precision: 6);
        Assert.True(RetryPolicy.Delay(1, Base, Max, 0.999999).TotalSeconds < 12.5);
    }

    [Fact]
    public void Delay_RejectsZeroAttempts() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.Delay(0, Base, Max, 0.5));
}
