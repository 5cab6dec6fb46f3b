namespace App.Worker.Queue;

/// <summary>An exponentially weighted moving average: recent samples count most, one outlier little.</summary>
internal static class MovingAverage
{
    private const double Weight = 0.2;

    /// <summary>The average after <paramref name="sample"/>; the first sample (average 0) is taken as it is.</summary>
    public static double Next(double average, double sample) =>
        average <= 0 ? sample : average + Weight * (sample - average);
}
