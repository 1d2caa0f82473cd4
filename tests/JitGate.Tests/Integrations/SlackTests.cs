using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Integrations;

public sealed class SlackTests : IAsyncLifetime
{
    private const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private readonly JitGateApp _app = new();
    private Receiver _slack = null!;
    private Api _admin = null!;
    private Api _dev = null!;
    private long _requestId;

    public async Task InitializeAsync()
    {
        _slack = await Receiver.StartAsync();
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "projectOwner" });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/slack", new { signingSecret = SigningSecret })).StatusCode);
        var users = (await _admin.GetOkAsync("/api/v1/users")).AsArray();
        foreach (var (email, slackId) in new[] { ("admin@example.com", "UADMIN"), ("dev@example.com", "UDEV") })
        {
            var id = users.Single(u => u!["email"]!.GetValue<string>() == email)!["id"]!.GetValue<long>();
            Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync($"/api/v1/users/{id}/slack", new { slackUserId = slackId })).StatusCode);
        }
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "incident" });
        _requestId = request["id"]!.GetValue<long>();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private Task<HttpResponseMessage> ClickAsync(string slackUser, string action, DateTimeOffset? at = null, string? secret = null)
    {
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = slackUser },
            ["response_url"] = _slack.Url + "/response",
            ["actions"] = new JsonArray(new JsonObject { ["action_id"] = action, ["value"] = _requestId.ToString(CultureInfo.InvariantCulture) }),
        };
        return SignedPostAsync("/api/v1/integrations/slack/interactions", "payload=" + Uri.EscapeDataString(payload.ToJsonString()), at, secret);
    }

    private Task<HttpResponseMessage> CommandAsync(string slackUser, string text) =>
        SignedPostAsync("/api/v1/integrations/slack/commands",
            $"command=%2Fjit&user_id={slackUser}&text={Uri.EscapeDataString(text)}&response_url={Uri.EscapeDataString(_slack.Url)}");

    private async Task<HttpResponseMessage> SignedPostAsync(string path, string body, DateTimeOffset? at = null, string? secret = null)
    {
        var timestamp = (at ?? _app.Clock.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret ?? SigningSecret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));
        using var client = _app.CreateClient();
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
        message.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        message.Headers.Add("X-Slack-Signature", signature);
        return await client.SendAsync(message);
    }

    private async Task<string> StatusAsync() => (await _admin.GetOkAsync($"/api/v1/access-requests/{_requestId}"))["status"]!.GetValue<string>();

    [Fact]
    public async Task A_signed_click_by_the_linked_owner_approves_and_updates_the_message()
    {
        var response = await ClickAsync("UADMIN", "approve");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("approved", await StatusAsync());
        var update = JsonNode.Parse(Assert.Single(_slack.Requests).Body)!;
        Assert.True(update["replace_original"]!.GetValue<bool>());
        Assert.Contains("approved by admin@example.com", update["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_requester_clicking_approve_is_refused_with_a_message_slack_shows()
    {
        var response = await ClickAsync("UDEV", "approve");
        var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Not done", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(reply["replace_original"]!.GetValue<bool>());
        Assert.Equal("pendingApproval", await StatusAsync());
        Assert.Contains("Not done", JsonNode.Parse(Assert.Single(_slack.Requests).Body)!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_signature_or_a_six_minute_old_timestamp_is_401_and_changes_nothing()
    {
        await Api.ProblemAsync(await ClickAsync("UADMIN", "approve", secret: "not-the-secret"), HttpStatusCode.Unauthorized, "slack-signature");
        await Api.ProblemAsync(await ClickAsync("UADMIN", "approve", at: _app.Clock.GetUtcNow().AddMinutes(-6)), HttpStatusCode.Unauthorized, "slack-signature");
        Assert.Equal("pendingApproval", await StatusAsync());
        Assert.Empty(_slack.Requests);
    }

    [Fact]
    public async Task The_slash_command_creates_a_request_with_the_right_scope_and_duration()
    {
        var reply = JsonNode.Parse(await (await CommandAsync("UDEV", "request hr_prod employee,salary 4h payroll incident")).Content.ReadAsStringAsync())!;
        Assert.Contains("created", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var mine = (await _dev.GetOkAsync("/api/v1/access-requests?filter=mine")).AsArray();
        var made = mine.Single(r => r!["id"]!.GetValue<long>() != _requestId)!;
        Assert.Equal("PT4H", made["duration"]!.GetValue<string>());
        Assert.Equal("payroll incident", made["reason"]!.GetValue<string>());
        Assert.Equal(["employee", "salary"], made["scope"]!["tables"]!.AsArray().Select(t => t!["table"]!.GetValue<string>()).Order());
        Assert.Contains($"/requests/{made["id"]}", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("request hr_prod , 4h incident")]
    [InlineData("request hr_prod ,,, 4h incident")]
    [InlineData("request hr_prod employee 40d incident")]
    [InlineData("request hr_prod employee 0m incident")]
    public async Task A_slash_command_that_names_no_table_or_too_long_a_time_creates_nothing(string text)
    {
        var reply = JsonNode.Parse(await (await CommandAsync("UDEV", text)).Content.ReadAsStringAsync())!["text"]!.GetValue<string>();

        Assert.DoesNotContain("created", reply, StringComparison.Ordinal);
        // Still only the request made in InitializeAsync: an empty table list never widens to the whole database.
        Assert.Single((await _dev.GetOkAsync("/api/v1/access-requests?filter=mine")).AsArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("please")]
    [InlineData("request hr_prod employee")]
    [InlineData("request hr_prod employee forever because")]
    public async Task Malformed_commands_get_the_usage(string text)
    {
        var reply = JsonNode.Parse(await (await CommandAsync("UDEV", text)).Content.ReadAsStringAsync())!;
        Assert.Contains("/jit request", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single((await _dev.GetOkAsync("/api/v1/access-requests?filter=mine")).AsArray());
    }

    [Fact]
    public async Task Status_lists_access_and_pending_requests_and_link_codes_link_once()
    {
        var status = JsonNode.Parse(await (await CommandAsync("UDEV", "status")).Content.ReadAsStringAsync())!["text"]!.GetValue<string>();
        Assert.Contains($"#{_requestId}", status, StringComparison.Ordinal);
        Assert.Contains("projectDeveloper", status, StringComparison.Ordinal);

        var link = JsonNode.Parse(await (await CommandAsync("UNEW", "link")).Content.ReadAsStringAsync())!["text"]!.GetValue<string>();
        var code = System.Text.RegularExpressions.Regex.Match(link, "code=([0-9a-f]+)").Groups[1].Value;
        var other = await _admin.CreateUserAsync(_app, "other@example.com");
        var linked = await other.PostOkAsync("/api/v1/integrations/slack/link", new { code }, HttpStatusCode.OK);
        Assert.Equal("other@example.com", linked["email"]!.GetValue<string>());
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/integrations/slack/link", new { code }), HttpStatusCode.BadRequest, "validation");
        Assert.Contains("not linked", JsonNode.Parse(await (await CommandAsync("UNOBODY", "status")).Content.ReadAsStringAsync())!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_for_another_projects_database_does_not_tell_that_it_exists()
    {
        var outsider = await _admin.CreateUserAsync(_app, "outsider@example.com");
        var id = (await outsider.GetOkAsync("/api/v1/me"))["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync($"/api/v1/users/{id}/slack", new { slackUserId = "UOUT" })).StatusCode);

        var reply = JsonNode.Parse(await (await CommandAsync("UOUT", "request hr_prod * 4h curious")).Content.ReadAsStringAsync())!["text"]!.GetValue<string>();

        Assert.Equal(JsonNode.Parse(await (await CommandAsync("UOUT", "request no_such_db * 4h curious")).Content.ReadAsStringAsync())!["text"]!.GetValue<string>()
            .Replace("no_such_db", "hr_prod", StringComparison.Ordinal), reply);
        Assert.DoesNotContain("sample", reply, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await outsider.GetOkAsync("/api/v1/access-requests?filter=mine")).AsArray());
    }
}
