namespace App.Worker.Feeds;

/// <summary>
/// A fetch or parse failure with a message a person can act on. <see cref="Retryable"/> errors
/// (server trouble, timeouts) are tried again with backoff; the others fail the job at once.
/// </summary>
public sealed class FeedException(string message, bool retryable, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;

    /// <summary>
    /// The kind of failure as a short name for metrics, from a small fixed set: http_404 (and the
    /// other statuses), blocked_address, not_a_feed, invalid_feed, too_large, timeout, dns, network,
    /// redirects, bad_url; feed_error for the rest.
    /// </summary>
    public string Reason { get; init; } = "feed_error";

    /// <summary>When the server asked us to come back (Retry-After on a 429 or 503), in UTC.</summary>
    public DateTime? RetryNotBefore { get; init; }
}
