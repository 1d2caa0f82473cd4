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

    /// <summary>False for loopback, private, shared, link-local, unique-local, multicast, documentation and reserved addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] is >= 64 and <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (IPAddress.IPv6Loopback.Equals(address) || IPAddress.IPv6Any.Equals(address)) return false;
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal) return false;
        var v6 = address.GetAddressBytes();
        // 2001:db8::/32 is for documentation. NAT64 (64:ff9b::/96) and ::/8 can carry any IPv4 address,
        // private ones included, so they are refused whole.
        return !(v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8) && !(v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b) && v6[0] != 0x00;
    }
}
