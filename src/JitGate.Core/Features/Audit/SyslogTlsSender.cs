using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace JitGate.Core.Features.Audit;

/// <summary>
/// Sends RFC 5425 frames to a syslog collector over TLS: one connection a batch. After the last frame JitGate
/// closes its side (TLS close_notify, then TCP) and waits for the collector to close too, so that a collector
/// that went away mid-batch shows as a failure and the batch is sent again (at least once), not lost in a buffer.
/// </summary>
internal static class SyslogTlsSender
{
    /// <summary>How long connecting, the handshake and writing may take, and how long to wait for the collector's close.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <exception cref="IOException">and <see cref="SocketException"/>, <see cref="System.Security.Authentication.AuthenticationException"/>,
    /// <see cref="OperationCanceledException"/>: the batch was not delivered.</exception>
    public static async Task SendAsync(Uri url, AuditSinkTls? tls, IReadOnlyList<byte[]> frames, TimeProvider clock, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(Timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var client = new TcpClient();
        await client.ConnectAsync(url.Host, url.Port, linked.Token);
        await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions { TargetHost = url.Host };
        if (tls?.CaCertificate is { } ca)
        {
            // The collector's own CA (or self-signed certificate) is the only root trusted for it; the name is still checked.
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(ca);
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }
        if (tls?.ClientCertificate is { } cert && tls.ClientKey is { } key)
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPem(cert, key)];
        }
        await ssl.AuthenticateAsClientAsync(options, linked.Token);
        foreach (var frame in frames) await ssl.WriteAsync(frame, linked.Token);
        await ssl.FlushAsync(linked.Token);
        await ssl.ShutdownAsync();
        client.Client.Shutdown(SocketShutdown.Send);
        var buffer = new byte[512];
        try
        {
            while (await ssl.ReadAsync(buffer, linked.Token) > 0) { }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // A collector that keeps the connection open after reading everything: the frames were written and flushed.
        }
    }
}
