using System.Net;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace App.Worker.Feeds;

/// <summary>A fetched document: its bytes, declared media type and charset, and the address it finally came from.</summary>
public sealed record FetchedDocument(byte[] Body, string? MediaType, string? Charset, Uri Url);

/// <summary>GETs a feed over the guarded HTTP client, with a size cap enforced while reading.</summary>
public sealed class FeedFetcher(IHttpClientFactory clients, IOptions<FeedOptions> options)
{
    public const string ClientName = "feeds";

    /// <summary>Names the app, its version and where to read about it, as polite fetchers do.</summary>
    public static readonly string UserAgent =
        $"AppFeedReader/{typeof(FeedFetcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0"} (self-hosted feed reader)";

    /// <summary>Fetches <paramref name="url"/>; failures become a <see cref="FeedException"/> with a readable message.</summary>
    public async Task<FetchedDocument> FetchAsync(Uri url, CancellationToken ct)
    {
        var limits = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limits.FetchTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8");
            using var response = await clients.CreateClient(ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw StatusError(response.StatusCode, response.ReasonPhrase);
            }
            if (response.Content.Headers.ContentLength > limits.MaxResponseBytes)
            {
                throw TooLarge(limits.MaxResponseBytes);
            }
            var body = await ReadCappedAsync(response.Content, limits.MaxResponseBytes, timeout.Token);
            var type = response.Content.Headers.ContentType;
            return new FetchedDocument(body, type?.MediaType, type?.CharSet, response.RequestMessage?.RequestUri ?? url);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new FeedException($"Timed out after {limits.FetchTimeout.TotalSeconds:0.#} s", retryable: true);
        }
        catch (HttpRequestException e) when (FindBlocked(e) is { } blocked)
        {
            throw new FeedException(blocked.Message, retryable: false, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            throw new FeedException($"The host {url.Host} could not be found", retryable: true, e);
        }
        catch (HttpRequestException e)
        {
            throw new FeedException($"Could not fetch the feed: {e.Message}", retryable: true, e);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, long max, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw TooLarge(max);
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static FeedException TooLarge(long max) =>
        new($"Response larger than {max / (1024.0 * 1024.0):0.#} MiB", retryable: false);

    private static FeedException StatusError(HttpStatusCode status, string? reason)
    {
        var code = (int)status;
        // Server trouble and throttling pass; other client errors will not change by retrying.
        var retryable = code >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
        return new FeedException($"HTTP {code} {reason ?? status.ToString()}".TrimEnd(), retryable);
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

    /// <summary>The primary handler of the feeds client: guarded connects, decompression, bounded redirects.</summary>
    public static SocketsHttpHandler CreateHandler(PrivateAddressGuard guard, FeedOptions options) => new()
    {
        ConnectCallback = guard.ConnectAsync,
        ConnectTimeout = options.ConnectTimeout,
        AutomaticDecompression = DecompressionMethods.All,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
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
