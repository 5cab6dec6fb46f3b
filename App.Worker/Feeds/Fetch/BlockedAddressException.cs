using System.Net;

namespace App.Worker.Feeds.Fetch;

/// <summary>A connection refused by <see cref="PrivateAddressGuard"/>.</summary>
public sealed class BlockedAddressException(IPAddress address)
    : Exception($"Blocked: {address} is a private address")
{
    public IPAddress Address { get; } = address;
}
