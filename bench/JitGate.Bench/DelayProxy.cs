using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace JitGate.Bench;

/// <summary>
/// A TCP relay on 127.0.0.1 that holds every chunk for a fixed one-way delay before passing it on, in both
/// directions, keeping order: a database "1 ms away" for the query suite, where the kernel's netem is not
/// available. Clients connect to <see cref="Port"/>; the relay connects to the target port on loopback.
/// The last milliseconds of a wait are spun, so the delay holds to well under a millisecond at a few
/// clients (at many, spinning competes for the cores); the direct driver's median through the relay shows
/// the round trip it makes.
/// </summary>
internal sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly TimeSpan _oneWay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private DelayProxy(int target, TimeSpan oneWay)
    {
        _target = target;
        _oneWay = oneWay;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private long _toServer;
    private long _toClient;

    /// <summary>Chunks relayed toward the server and toward the clients since the last <see cref="ResetCounts"/>: one per write the sender's socket delivered, a round-trip witness.</summary>
    public (long ToServer, long ToClient) Counts => (Interlocked.Read(ref _toServer), Interlocked.Read(ref _toClient));

    public void ResetCounts()
    {
        Interlocked.Exchange(ref _toServer, 0);
        Interlocked.Exchange(ref _toClient, 0);
    }

    public static DelayProxy Start(int targetPort, TimeSpan oneWay) => new(targetPort, oneWay);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            client.NoDelay = true;
            server.NoDelay = true;
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream(), toServer: true), PumpAsync(server.GetStream(), client.GetStream(), toServer: false));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool toServer)
    {
        var held = Channel.CreateUnbounded<(byte[] Data, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var sending = Task.Run(async () =>
        {
            await foreach (var (data, due) in held.Reader.ReadAllAsync(_stop.Token))
            {
                // Timers here fire whole milliseconds late or more, so a timer sleeps only through what is
                // left beyond a few milliseconds and the rest is spun (a thread per chunk in flight).
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(6)) await Task.Delay(wait - TimeSpan.FromMilliseconds(5), _stop.Token);
                var spin = new SpinWait();
                while (Stopwatch.GetTimestamp() < due) spin.SpinOnce(sleep1Threshold: -1);
                await to.WriteAsync(data, _stop.Token);
            }
        });
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                Interlocked.Increment(ref toServer ? ref _toServer : ref _toClient);
                held.Writer.TryWrite((buffer[..read], Stopwatch.GetTimestamp() + (long)(_oneWay.TotalSeconds * Stopwatch.Frequency)));
            }
        }
        finally
        {
            held.Writer.TryComplete();
            try
            {
                await sending;
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
