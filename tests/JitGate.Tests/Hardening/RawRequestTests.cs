using System.Net.Sockets;
using System.Text;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Hardening;

/// <summary>Requests as bytes on a socket, to real Kestrel: what a client library would never send.</summary>
public sealed class RawRequestTests
{
    private static async Task<string> SendAsync(Uri server, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(request);
        var buffer = new byte[8192];
        var read = await stream.ReadAsync(buffer);
        return Encoding.Latin1.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task A_bearer_token_that_is_not_utf8_gets_a_401_problem()
    {
        await using var server = await ReplicaProcess.StartAsync("raw", null, Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n")),
            new Dictionary<string, string> { ["JitGate__CreateSample"] = "false" });

        foreach (var token in new byte[][] { [0xff, 0xfe, 0x41], [0xc3, 0x28], "jg_é"u8.ToArray() })
        {
            var request = Encoding.ASCII.GetBytes("GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ")
                .Concat(token).Concat(Encoding.ASCII.GetBytes("\r\nConnection: close\r\n\r\n")).ToArray();
            var answer = await SendAsync(server.Address, request);

            Assert.StartsWith("HTTP/1.1 401", answer, StringComparison.Ordinal);
            Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        }
    }
}
