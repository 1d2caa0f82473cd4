using System.Net;
using System.Net.Sockets;

namespace JitGate.Core.Features.Webhooks;

/// <summary>
/// Keeps webhook deliveries and Slack replies on public addresses. The check runs when the connection
/// is made, on the addresses the name resolves to then, so a name that resolves to a public address at
/// creation and to an internal one later is still refused.
/// </summary>
public static class PublicAddresses
{
    /// <summary>The connect step for the webhook HTTP client: public addresses only, unless <paramref name="allowPrivate"/>.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connector(bool allowPrivate) => async (context, ct) =>
    {
        var host = context.DnsEndPoint.Host;
        var resolved = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = allowPrivate ? resolved : resolved.Where(IsPublic).ToArray();
        if (usable.Length == 0)
        {
            throw new HttpRequestException(
                $"{host} resolves only to loopback, private or other non-public addresses; JitGate does not deliver there (JitGate__WebhooksToPrivateNetworks allows it).");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    /// <summary>Why a webhook URL is refused when it is written, or null. Only literal addresses and localhost are known then.</summary>
    public static string? RefusalFor(Uri url, bool allowPrivate)
    {
        if (allowPrivate) return null;
        var isLocalName = url.IsLoopback || url.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        if (isLocalName || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && !IsPublic(address)))
        {
            return $"url points at {url.Host}, a loopback, private or other non-public address; JitGate delivers only to public addresses unless JitGate__WebhooksToPrivateNetworks is set.";
        }
        return null;
    }

    // Loopback, private, shared (CGNAT), link-local, unique-local, multicast, documentation and reserved
    // ranges. NAT64 (64:ff9b::/96) and ::/8 can carry any IPv4 address, private ones included.
    private static readonly IPNetwork[] NonPublic =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/3",
            "::/8", "64:ff9b::/96", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(n => IPNetwork.Parse(n)),
    ];

    /// <summary>False for loopback, private, shared, link-local, unique-local, multicast, documentation and reserved addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return !NonPublic.Any(n => n.Contains(address));
    }
}
