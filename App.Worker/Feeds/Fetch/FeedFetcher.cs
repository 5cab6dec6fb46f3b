using System.Net;
using System.Reflection;
using App.Worker.Monitoring;
using Microsoft.Extensions.Options;

namespace App.Worker.Feeds.Fetch;

/// <summary>
/// GETs a feed over the guarded HTTP client: conditional (ETag / Last-Modified), redirects followed
/// here (at most <see cref="MaxRedirects"/>, http/https only, permanent ones remembered), the size
/// cap enforced while reading, Retry-After kept on throttling errors.
/// </summary>
public sealed class FeedFetcher(
    IHttpClientFactory clients, PrivateAddressGuard guard, IOptions<FeedOptions> options, TimeProvider time, WorkerMetrics metrics)
{
    public const string ClientName = "feeds";

    public const int MaxRedirects = 5;

    /// <summary>A server may ask for a pause; longer than this and we come back anyway.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(24);

    /// <summary>Names the app and its version, as polite fetchers do (there is no public README URL to add).</summary>
    public static readonly string UserAgent =
        $"AppFeedReader/{typeof(FeedFetcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0"} (self-hosted feed reader)";

    /// <summary>
    /// Fetches <paramref name="url"/>; failures become a <see cref="FeedException"/> with a readable
    /// message (a connection that fails, a body that ends early or does not decompress, a timeout). A body over <paramref name="maxBytes"/> (default <see cref="FeedOptions.MaxResponseBytes"/>) is refused.
    /// <paramref name="userAgent"/> (a feed's own) replaces <see cref="UserAgent"/> on every hop;
    /// <paramref name="accept"/> replaces the feed types the request asks for (a web page's fetch asks for HTML).
    /// </summary>
    public async Task<FetchedDocument> FetchAsync(
        Uri url, CancellationToken ct, Validators? validators = null, long? maxBytes = null, string? userAgent = null, string? accept = null)
    {
        var limits = options.Value;
        var max = maxBytes ?? limits.MaxResponseBytes;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limits.FetchTimeout);
        var client = clients.CreateClient(ClientName);
        var current = url;
        var permanent = url;
        var allPermanent = true;
        try
        {
            for (var hop = 0; ; hop++)
            {
                CheckScheme(current);
                if (limits.Proxy is not null)
                {
                    // The connect-time guard sees only the proxy: the target is checked here, every hop.
                    await guard.CheckTargetAsync(current, timeout.Token);
                }
                using var request = Request(current, validators ?? Validators.None, userAgent, accept);
                using var response = await SendAsync(client, request, timeout.Token);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (hop == MaxRedirects)
                    {
                        throw new FeedException("Too many redirects", retryable: false) { Reason = "redirects" };
                    }
                    current = new Uri(current, location);
                    // 301/308 move the feed for good; after a temporary hop, later ones say nothing about the stored address.
                    allPermanent &= response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect;
                    if (allPermanent)
                    {
                        permanent = current;
                    }
                    continue;
                }
                var etag = response.Headers.ETag?.ToString();
                var lastModified = response.Content.Headers.LastModified?.ToString("R");
                if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    return new FetchedDocument(FeedBody.Empty, null, null, current)
                    {
                        PermanentUrl = permanent,
                        NotModified = true,
                        ETag = etag,
                        LastModified = lastModified,
                    };
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw StatusError(response);
                }
                if (response.Content.Headers.ContentLength > max)
                {
                    throw TooLarge(max);
                }
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                var body = await FeedBody.ReadAsync(
                    stream, max, response.Content.Headers.ContentLength, () => TooLarge(max), timeout.Token);
                var type = response.Content.Headers.ContentType;
                return new FetchedDocument(body, type?.MediaType, type?.CharSet, current)
                {
                    PermanentUrl = permanent,
                    ETag = etag,
                    LastModified = lastModified,
                };
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FeedException($"Timed out after {limits.FetchTimeout.TotalSeconds:0.#} s", retryable: true) { Reason = "timeout" };
        }
        catch (BlockedAddressException e)
        {
            throw new FeedException(e.Message, retryable: false, e) { Reason = "blocked_address" };
        }
        catch (HttpRequestException e) when (FindBlocked(e) is { } blocked)
        {
            throw new FeedException(blocked.Message, retryable: false, e) { Reason = "blocked_address" };
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            throw new FeedException($"The host {current.Host} could not be found", retryable: true, e) { Reason = "dns" };
        }
        catch (HttpRequestException e)
        {
            throw new FeedException($"Could not fetch the feed: {e.Message}", retryable: true, e) { Reason = "network" };
        }
        // Failures while the body arrives: each is the server's (or the network's) and may pass.
        catch (HttpIOException e) when (e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            throw new FeedException("The connection closed before the whole feed arrived", retryable: true, e) { Reason = "network" };
        }
        catch (Exception e) when (IsDecoderError(e))
        {
            throw new FeedException("The feed's compressed body is damaged", retryable: true, e) { Reason = "network" };
        }
        catch (IOException e)
        {
            throw new FeedException($"Could not read the feed: {e.Message}", retryable: true, e) { Reason = "network" };
        }
    }

    /// <summary>
    /// Damaged gzip or deflate (InvalidDataException) or Brotli (an InvalidOperationException from
    /// the decoder) in a body the handler decompresses as it is read.
    /// </summary>
    private static bool IsDecoderError(Exception e) =>
        e is InvalidDataException
        || (e is InvalidOperationException && e.TargetSite?.DeclaringType?.Namespace == "System.IO.Compression");

    private const string FeedTypes = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";

    private static HttpRequestMessage Request(Uri url, Validators validators, string? userAgent, string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (userAgent is not null)
        {
            // A request's own header wins: the client's default is added only where the request has none.
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }
        request.Headers.Accept.ParseAdd(accept ?? FeedTypes);
        if (validators.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }
        if (validators.LastModified is { } lastModified)
        {
            request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
        }
        return request;
    }

    private static void CheckScheme(Uri url)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            throw new FeedException($"Only http and https addresses can be fetched, not {url.Scheme}:", retryable: false) { Reason = "bad_url" };
        }
    }

    /// <summary>Sends one request (one hop) and counts its response's status, or that none came, for the metrics.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch
        {
            metrics.Fetched(null);
            throw;
        }
        metrics.Fetched((int)response.StatusCode);
        return response;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static FeedException TooLarge(long max) =>
        new($"Response larger than {max / (1024.0 * 1024.0):0.#} MiB", retryable: false) { Reason = "too_large" };

    private FeedException StatusError(HttpResponseMessage response)
    {
        var status = response.StatusCode;
        var code = (int)status;
        // Server trouble and throttling pass; other client errors will not change by retrying.
        var retryable = code >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
        return new FeedException($"HTTP {code} {response.ReasonPhrase ?? status.ToString()}".TrimEnd(), retryable)
        {
            RetryNotBefore = retryable ? RetryAfter(response) : null,
            Reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http_{code}"),
        };
    }

    private DateTime? RetryAfter(HttpResponseMessage response)
    {
        var now = time.GetUtcNow();
        var at = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => now + delta,
            { Date: { } date } => date,
            _ => (DateTimeOffset?)null,
        };
        if (at is not { } value || value <= now)
        {
            return null;
        }
        return (value - now > MaxRetryAfter ? now + MaxRetryAfter : value).UtcDateTime;
    }

    private static BlockedAddressException? FindBlocked(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is BlockedAddressException blocked)
            {
                return blocked;
            }
        }
        return null;
    }

    /// <summary>
    /// The primary handler of the feeds client: guarded connects, decompression, at most
    /// <see cref="FeedOptions.MaxConnectionsPerHost"/> connections per host. Requests are HTTP/1.1
    /// (HttpClient's default version), one at a time per connection, so that is also the number of
    /// requests at once to a host; the handler keeps a pool per scheme, host and port, so each site
    /// has its own. Redirects are followed by <see cref="FetchAsync"/> itself, so that each
    /// hop's scheme is checked and permanent moves are told from temporary ones. A proxy only when
    /// <see cref="FeedOptions.Proxy"/> names one: the environment's HTTP(S)_PROXY, which
    /// SocketsHttpHandler would honour by default, would hide every target from the guard.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(PrivateAddressGuard guard, FeedOptions options) => new()
    {
        UseProxy = options.Proxy is not null,
        Proxy = options.Proxy is { } proxy ? new WebProxy(proxy) : null,
        ConnectCallback = guard.ConnectAsync,
        ConnectTimeout = options.ConnectTimeout,
        AutomaticDecompression = DecompressionMethods.All,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = options.MaxConnectionsPerHost,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
    };

    /// <summary>Default request headers of the feeds client.</summary>
    public static void ConfigureClient(HttpClient client)
    {
        client.DefaultRequestHeaders.UserAgent.Clear();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", UserAgent);
        // The fetch's own timeout (FeedOptions.FetchTimeout) governs; this one must not fire first.
        client.Timeout = Timeout.InfiniteTimeSpan;
    }
}
