namespace App.Worker.Feeds;

/// <summary>
/// A fetch or parse failure with a message a person can act on. <see cref="Retryable"/> errors
/// (server trouble, timeouts) are tried again with backoff; the others fail the job at once.
/// </summary>
public sealed class FeedException(string message, bool retryable, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;

    /// <summary>When the server asked us to come back (Retry-After on a 429 or 503), in UTC.</summary>
    public DateTime? RetryNotBefore { get; init; }
}
