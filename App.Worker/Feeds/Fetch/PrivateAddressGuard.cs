using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace App.Worker.Feeds.Fetch;

/// <summary>
/// Refuses connections to loopback, private, link-local and other non-public addresses. It runs
/// as the HTTP handler's connect step, on the resolved address actually dialled, so redirects and
/// DNS answers that change between check and use (rebinding) are covered too.
/// </summary>
public sealed class PrivateAddressGuard(IOptions<FeedOptions> options)
{
    private static readonly (IPAddress Network, int Prefix)[] BlockedV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8),        // "this network", unspecified
        (IPAddress.Parse("10.0.0.0"), 8),       // RFC 1918
        (IPAddress.Parse("100.64.0.0"), 10),    // carrier-grade NAT
        (IPAddress.Parse("127.0.0.0"), 8),      // loopback
        (IPAddress.Parse("169.254.0.0"), 16),   // link-local, cloud metadata
        (IPAddress.Parse("172.16.0.0"), 12),    // RFC 1918
        (IPAddress.Parse("192.0.0.0"), 24),     // IETF protocol assignments
        (IPAddress.Parse("192.168.0.0"), 16),   // RFC 1918
        (IPAddress.Parse("198.18.0.0"), 15),    // benchmarking
        (IPAddress.Parse("224.0.0.0"), 4),      // multicast
        (IPAddress.Parse("240.0.0.0"), 4),      // reserved, broadcast
    ];

    private static readonly (IPAddress Network, int Prefix)[] BlockedV6 =
    [
        (IPAddress.IPv6None, 128),              // ::
        (IPAddress.IPv6Loopback, 128),          // ::1
        (IPAddress.Parse("64:ff9b:1::"), 48),   // local-use NAT64 (RFC 8215): translates to any IPv4 the operator chose
        (IPAddress.Parse("fc00::"), 7),         // unique local
        (IPAddress.Parse("fe80::"), 10),        // link-local
        (IPAddress.Parse("fec0::"), 10),        // site-local (deprecated)
        (IPAddress.Parse("ff00::"), 8),         // multicast
    ];

    /// <summary>Whether <paramref name="address"/> is not a public unicast address.</summary>
    public static bool IsBlocked(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsBlocked(address.MapToIPv4());
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms carry an IPv4 address to check.
            if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 || IsNat64(bytes))
            {
                var v4 = new IPAddress(bytes.AsSpan(12, 4));
                if (!v4.Equals(IPAddress.Any) && !v4.Equals(new IPAddress([0, 0, 0, 1])))
                {
                    return IsBlocked(v4);
                }
            }
            // 6to4 (2002:a.b.c.d::/48) is routed to the IPv4 address it embeds.
            if (bytes[0] == 0x20 && bytes[1] == 0x02 && IsBlocked(new IPAddress(bytes.AsSpan(2, 4))))
            {
                return true;
            }
            return BlockedV6.Any(n => InNetwork(address, n.Network, n.Prefix));
        }
        return BlockedV4.Any(n => InNetwork(address, n.Network, n.Prefix));
    }

    /// <summary>
    /// Before a request that goes through the configured proxy (<see cref="FeedOptions.Proxy"/>):
    /// refuses <paramref name="target"/> when any address its host resolves to here is refused.
    /// Any, not all: which one the proxy dials is not ours to choose. The proxy resolves the name
    /// again, so a DNS answer that changes in between is not covered; a proxy that refuses private
    /// destinations itself covers it.
    /// </summary>
    public async Task CheckTargetAsync(Uri target, CancellationToken ct)
    {
        if (options.Value.AllowPrivateAddresses)
        {
            return;
        }
        var addresses = await ResolveAsync(target.IdnHost, ct);
        if (addresses.FirstOrDefault(IsBlocked) is { } blocked)
        {
            throw new BlockedAddressException(blocked);
        }
    }

    /// <summary>
    /// The SocketsHttpHandler connect callback: resolve, drop refused addresses, dial the rest.
    /// The configured proxy is dialled as it is (it may well be on the LAN); its targets are
    /// checked by <see cref="CheckTargetAsync"/>.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await ResolveAsync(endpoint.Host, ct);
        if (!options.Value.AllowPrivateAddresses && !IsProxy(endpoint))
        {
            var allowed = addresses.Where(a => !IsBlocked(a)).ToArray();
            if (allowed.Length == 0 && addresses.Length > 0)
            {
                throw new BlockedAddressException(addresses[0]);
            }
            addresses = allowed;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);

    private bool IsProxy(DnsEndPoint endpoint) =>
        options.Value.Proxy is { } proxy && endpoint.Port == proxy.Port
        && string.Equals(endpoint.Host.Trim('[', ']'), proxy.IdnHost.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);

    private static bool IsNat64(byte[] b) =>
        b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length)
        {
            return false;
        }
        var fullBytes = prefix / 8;
        if (!a.AsSpan(0, fullBytes).SequenceEqual(n.AsSpan(0, fullBytes)))
        {
            return false;
        }
        var rest = prefix % 8;
        if (rest == 0)
        {
            return true;
        }
        var mask = (byte)(0xFF << (8 - rest));
        return (a[fullBytes] & mask) == (n[fullBytes] & mask);
    }
}
