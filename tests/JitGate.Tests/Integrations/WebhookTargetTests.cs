using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Core.Features.Webhooks;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Integrations;

/// <summary>By default JitGate delivers webhooks to public addresses only, so a project owner cannot aim it at internal services.</summary>
public sealed class WebhookTargetTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new(settings: new() { ["JitGate:WebhooksToPrivateNetworks"] = "false" });
    private Receiver _receiver = null!;
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _receiver = await Receiver.StartAsync();
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hook")]
    [InlineData("http://localhost:{port}/hook")]
    [InlineData("http://[::1]:{port}/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::ffff:192.168.0.10]/hook")]
    public async Task A_literal_internal_address_is_refused_when_the_webhook_is_written(string url)
    {
        var port = new Uri(_receiver.Url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = await _admin.Http.PostAsJsonAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = url.Replace("{port}", port, StringComparison.Ordinal) });

        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Contains("non-public", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await _admin.GetOkAsync("/api/v1/projects/sample/webhooks")).AsArray());
    }

    [Fact]
    public async Task A_name_that_resolves_to_an_internal_address_is_refused_when_delivering()
    {
        var host = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(host);
        Assert.True(addresses.Length > 0 && !addresses.Any(PublicAddresses.IsPublic),
            $"this test needs the machine's own name ({host}) to resolve to internal addresses only; it resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}");
        var hook = await _admin.PostOkAsync("/api/v1/projects/sample/webhooks",
            new { type = "generic", url = $"http://{host}:{new Uri(_receiver.Url).Port}/hook", events = new[] { "requestCreated" } });

        await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "ssrf check" });

        var path = $"/api/v1/projects/sample/webhooks/{hook["id"]}/deliveries";
        await Eventually.HoldsAsync(_app.Clock, async () => (await _admin.GetOkAsync(path)).AsArray() is [var d] && d!["attempts"]!.GetValue<int>() > 0);
        var delivery = (await _admin.GetOkAsync(path)).AsArray()[0]!;
        Assert.NotEqual("delivered", delivery["status"]!.GetValue<string>());
        Assert.Contains("non-public", delivery["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(_receiver.Requests);
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("2001:db8::1", false)]
    public void Addresses_are_public_only_outside_the_internal_and_reserved_ranges(string address, bool isPublic) =>
        Assert.Equal(isPublic, PublicAddresses.IsPublic(IPAddress.Parse(address)));
}
