using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace App.Web.Accounts;

/// <summary>
/// Counts failed sign-ins (the form, Basic authentication, API keys) per username and per client
/// address with the framework's sliding-window rate limiters, and refuses further attempts, right
/// or wrong, once either has used up its allowance: a guesser cannot tell a right password from a
/// refused one. Only failures spend the allowance, so a person who signs in correctly is never slowed.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _byUsername;
    private readonly PartitionedRateLimiter<string> _byAddress;
    private readonly TimeSpan _window;

    public SignInThrottle(IOptions<AuthOptions> options)
    {
        var o = options.Value;
        _window = o.FailedSignInWindow;
        _byUsername = Limiter(o.FailedSignInsPerUsername, o.FailedSignInWindow);
        _byAddress = Limiter(o.FailedSignInsPerAddress, o.FailedSignInWindow);
    }

    /// <summary>
    /// Whether attempts for <paramref name="username"/> (null: an API key, which names nobody) or
    /// from <paramref name="address"/> are refused now; <paramref name="retryAfter"/> says for how long.
    /// </summary>
    public bool IsRefused(string? username, IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        // Asking for zero permits tells whether any are left without spending one.
        foreach (var (limiter, key) in Keys(username, address))
        {
            using var lease = limiter.AttemptAcquire(key, 0);
            if (!lease.IsAcquired)
            {
                retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : _window;
                return true;
            }
        }
        return false;
    }

    /// <summary>Spends one failure of <paramref name="username"/>'s and <paramref name="address"/>'s allowances.</summary>
    public void CountFailure(string? username, IPAddress? address)
    {
        foreach (var (limiter, key) in Keys(username, address))
        {
            limiter.AttemptAcquire(key, 1).Dispose();
        }
    }

    public void Dispose()
    {
        _byUsername.Dispose();
        _byAddress.Dispose();
    }

    private IEnumerable<(PartitionedRateLimiter<string> Limiter, string Key)> Keys(string? username, IPAddress? address)
    {
        if (username is not null)
        {
            // Usernames are compared without regard to case, so are their allowances.
            yield return (_byUsername, username.ToUpperInvariant());
        }
        // One client over IPv4 and IPv4-mapped IPv6 is one address.
        var client = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
        yield return (_byAddress, client?.ToString() ?? "unknown");
    }

    private static PartitionedRateLimiter<string> Limiter(int failures, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ =>
            new SlidingWindowRateLimiterOptions
            {
                PermitLimit = failures,
                Window = window,
                SegmentsPerWindow = 5,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
}
