namespace App.Data.Queue;

/// <summary>Exponential backoff with jitter, as a pure function.</summary>
public static class RetryPolicy
{
    /// <summary>
    /// Delay before attempt <paramref name="failedAttempts"/> + 1: <c>baseDelay · 2^(failedAttempts−1)</c>,
    /// capped at <paramref name="maxDelay"/>, then scaled by a factor in [0.75, 1.25) taken from
    /// <paramref name="random01"/> ∈ [0, 1), so that jobs failing together do not retry together.
    /// </summary>
    public static TimeSpan Delay(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, double random01)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var exponent = Math.Min(failedAttempts - 1, 30);
        var raw = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(raw * (0.75 + (0.5 * random01)));
    }
}
