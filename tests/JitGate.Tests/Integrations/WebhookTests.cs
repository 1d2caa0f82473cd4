using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Integrations;

public sealed class WebhookTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Receiver _receiver = null!;
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _receiver = await Receiver.StartAsync();
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "projectOwner" });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private Task<JsonNode> RequestAsync() => _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
        new { scope = new { tables = new[] { new { database = "hr_prod", table = "salary" } } }, duration = "PT4H", reason = "incident <!channel>" });

    [Fact]
    public async Task An_approval_needed_event_arrives_once_with_a_signature_that_verifies()
    {
        var hook = await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url + "/hook", events = new[] { "approvalNeeded" } });
        var secret = hook["secret"]!.GetValue<string>();
        Assert.DoesNotContain("/hook", hook["url"]!.GetValue<string>(), StringComparison.Ordinal);
        var listed = (await _admin.GetOkAsync("/api/v1/projects/sample/webhooks")).ToJsonString();
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);

        var request = await RequestAsync();
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(!_receiver.Requests.IsEmpty));
        for (var i = 0; i < 5; i++) { _app.Clock.Advance(TimeSpan.FromSeconds(1)); await Task.Delay(20); }

        var received = Assert.Single(_receiver.Requests);
        var body = JsonNode.Parse(received.Body)!;
        Assert.Equal("approvalNeeded", body["event"]!.GetValue<string>());
        Assert.Equal(request["id"]!.GetValue<long>(), body["request"]!["id"]!.GetValue<long>());
        Assert.Equal(received.Headers["X-JitGate-Event-Id"], body["id"]!.GetValue<string>());
        var timestamp = received.Headers["X-JitGate-Timestamp"];
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{received.Body}")));
        Assert.Equal(expected, received.Headers["X-JitGate-Signature"]);
    }

    [Fact]
    public async Task A_receiver_failing_twice_gets_it_on_the_third_attempt_and_the_log_shows_all_three()
    {
        _receiver.FailNext(2);
        var hook = await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url, events = new[] { "requestCreated" }, secret = "s3cret" });
        await RequestAsync();
        var path = $"/api/v1/projects/sample/webhooks/{hook["id"]}/deliveries";
        await Eventually.HoldsAsync(_app.Clock, async () => (await _admin.GetOkAsync(path)).AsArray() is [var d] && d!["status"]!.GetValue<string>() == "delivered");
        var delivery = (await _admin.GetOkAsync(path)).AsArray()[0]!;
        Assert.Equal(3, delivery["attempts"]!.GetValue<int>());
        Assert.Equal([500, 500, 200], delivery["log"]!.AsArray().Select(a => a!["statusCode"]!.GetValue<int>()));
        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Single(_receiver.Requests.Select(r => r.Headers["X-JitGate-Event-Id"]).Distinct());
    }

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_slow_requests_or_approvals()
    {
        _receiver.Hang = true;
        await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url, secret = "s3cret" });
        var request = await RequestAsync();
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(!_receiver.Requests.IsEmpty));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"approval took {started.Elapsed}");
    }

    [Fact]
    public async Task Slack_webhooks_get_block_kit_with_buttons_and_escaped_text()
    {
        await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "slack", url = _receiver.Url + "/services/T000/B000/XXXX", events = new[] { "approvalNeeded" } });
        var request = await RequestAsync();
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(!_receiver.Requests.IsEmpty));
        var body = JsonNode.Parse(_receiver.Requests.First().Body)!;
        var buttons = body["blocks"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "actions")!["elements"]!.AsArray();
        Assert.Equal(["approve", "reject", "open"], buttons.Select(b => b!["action_id"]!.GetValue<string>()));
        Assert.Equal(request["id"]!.ToString(), buttons[0]!["value"]!.GetValue<string>());
        var text = body["blocks"]![0]!["text"]!["text"]!.GetValue<string>();
        Assert.Contains("&lt;!channel&gt;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_owners_and_admins_manage_webhooks_and_bad_input_is_400()
    {
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url }), HttpStatusCode.Forbidden, "forbidden");
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/sample/webhooks", new { type = "email", url = _receiver.Url }), HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = "ftp://x" }), HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url, events = new[] { "everything" } }), HttpStatusCode.BadRequest, "validation");
        Assert.Empty((await _admin.GetOkAsync("/api/v1/projects/sample/webhooks")).AsArray());
    }

    [Fact]
    public async Task The_test_button_pings_and_resend_keeps_the_event_id()
    {
        var hook = await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url, secret = "s3cret" });
        var ping = await _admin.PostOkAsync($"/api/v1/projects/sample/webhooks/{hook["id"]}/test", new { }, HttpStatusCode.Accepted);
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(_receiver.Requests.Count == 1));
        Assert.Equal("ping", JsonNode.Parse(_receiver.Requests.First().Body)!["event"]!.GetValue<string>());
        var resend = await _admin.Http.PostAsync($"/api/v1/projects/sample/webhooks/{hook["id"]}/deliveries/{ping["id"]}/resend", null);
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(_receiver.Requests.Count == 2));
        Assert.Single(_receiver.Requests.Select(r => r.Headers["X-JitGate-Event-Id"]).Distinct());
    }
}
