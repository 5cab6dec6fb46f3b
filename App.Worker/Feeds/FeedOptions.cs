using System.ComponentModel.DataAnnotations;
using App.Data.Feeds;

namespace App.Worker.Feeds;

/// <summary>Settings under <c>Feeds:</c>.</summary>
public sealed class FeedOptions
{
    public const string Section = "Feeds";

    /// <summary>Allow fetching from loopback, private and link-local addresses (tests, LAN installs).</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>
    /// An HTTP proxy for every fetch; none by default. The environment's HTTP(S)_PROXY is not
    /// used: through a proxy the connect-time guard would see only the proxy's address, so with
    /// this set the guard checks each request's target instead (<see cref="PrivateAddressGuard.CheckTargetAsync"/>).
    /// </summary>
    public Uri? Proxy { get; set; }

    /// <summary>How often a healthy feed is refreshed in the background, unless it sets an interval of its own.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = FeedSettings.DefaultRefreshInterval;

    /// <summary>How often the worker looks for feeds due for a refresh.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Fetch-feed jobs one worker process runs at once, in slots of their own: a fetch mostly waits
    /// on the network (asynchronously, holding no thread), so many more than the queue's default.
    /// </summary>
    [Range(1, 1024)]
    public int FetchConcurrency { get; set; } = 64;

    /// <summary>
    /// At most this many connections, so requests at once, from one worker process to one host
    /// (scheme, host name and port): the fetch handler's per-server connection limit. Fetches of a
    /// host beyond it wait for one of its connections.
    /// </summary>
    [Range(1, 64)]
    public int MaxConnectionsPerHost { get; set; } = 2;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Limit for a whole fetch, body included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// At most this many items of one fetch are stored, the newest: they are written in the job's
    /// completion transaction, under the database's single write lock, and a feed of 400,000
    /// small items was one write of seconds.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxItemsPerFetch { get; set; } = 1000;

    /// <summary>Largest response body accepted, enforced while reading.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxResponseBytes { get; set; } = 10 * 1024 * 1024;
}
