using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace JitGate.Tests.Infrastructure;

/// <summary>
/// A syslog collector over TLS on loopback (RFC 5425): a self-signed certificate made here, octet-counted frames
/// read to the end of each connection, which it then closes. It can be stopped (connections refused) and started
/// again on the same port, as a SIEM collector that goes away for a while.
/// </summary>
public sealed class SyslogTlsReceiver : IAsyncDisposable
{
    private readonly X509Certificate2 _certificate;
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task? _accepting;

    private SyslogTlsReceiver(X509Certificate2 certificate) => _certificate = certificate;

    /// <summary>Every RFC 5424 message received, in the order received.</summary>
    public ConcurrentQueue<string> Messages { get; } = new();

    public int Port { get; private set; }

    /// <summary>The collector's certificate as PEM: the CA a sink is told to trust.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    public static SyslogTlsReceiver Start()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        var receiver = new SyslogTlsReceiver(request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30)));
        receiver.Listen();
        return receiver;
    }

    /// <summary>Stops listening: connections are refused until <see cref="Resume"/>.</summary>
    public async Task StopAsync()
    {
        await _stop!.CancelAsync();
        _listener!.Stop();
        try
        {
            await _accepting!;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void Resume() => Listen();

    private void Listen()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        var listener = _listener;
        _accepting = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(token);
                _ = Task.Run(() => ServeAsync(client, token), CancellationToken.None);
            }
        }, CancellationToken.None);
    }

    private async Task ServeAsync(TcpClient client, CancellationToken token)
    {
        using (client)
        {
            try
            {
                await using var ssl = new SslStream(client.GetStream());
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, token);
                using var all = new MemoryStream();
                await ssl.CopyToAsync(all, token);
                foreach (var message in Frames(all.ToArray())) Messages.Enqueue(message);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                // A connection cut while stopping: what it carried is not counted as received.
            }
        }
    }

    /// <summary>Splits RFC 5425 octet-counted frames ("MSG-LEN SP SYSLOG-MSG").</summary>
    public static List<string> Frames(byte[] bytes)
    {
        var messages = new List<string>();
        var i = 0;
        while (i < bytes.Length)
        {
            var space = Array.IndexOf(bytes, (byte)' ', i);
            var length = int.Parse(Encoding.ASCII.GetString(bytes, i, space - i), NumberStyles.None, CultureInfo.InvariantCulture);
            messages.Add(Encoding.UTF8.GetString(bytes, space + 1, length));
            i = space + 1 + length;
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop?.Dispose();
        _certificate.Dispose();
    }
}
