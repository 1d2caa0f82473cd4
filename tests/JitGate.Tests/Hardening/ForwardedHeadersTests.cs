using System.Net;
using System.Net.Http.Json;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Hardening;

/// <summary>
/// Behind a trusted proxy each client has its own sign-in limit; without one, X-Forwarded-For is not
/// believed (anyone could send it). Real Kestrel on loopback, the test playing the proxy.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private static async Task<HttpStatusCode> FailedLoginAsync(HttpClient http, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { email = "nobody@example.com", password = "wrong-password" }),
        };
        request.Headers.Add("X-Forwarded-For", client);
        return (await http.SendAsync(request)).StatusCode;
    }

    private static Task<ReplicaProcess> StartAsync(string name, params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string> { ["JitGate__LoginAttemptsPerMinute"] = "3", ["JitGate__CreateSample"] = "false" };
        foreach (var (key, value) in settings) environment[key] = value;
        return ReplicaProcess.StartAsync(name, null, Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n")), environment);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit()
    {
        await using var server = await StartAsync("proxied", ("JitGate__TrustedProxies__0", "127.0.0.1"));
        using var http = server.Client();

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, await FailedLoginAsync(http, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await FailedLoginAsync(http, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.Unauthorized, await FailedLoginAsync(http, "198.51.100.9"));
    }

    [Fact]
    public async Task Without_a_trusted_proxy_the_header_is_not_believed()
    {
        await using var server = await StartAsync("direct");
        using var http = server.Client();

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, await FailedLoginAsync(http, $"203.0.113.{i}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await FailedLoginAsync(http, "198.51.100.9"));
    }
}
