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

    private Task<HttpResponseMessage> ClickAsync(string slackUser, string action, DateTimeOffset? at = null, string? secret = null, long? requestId = null)
    {
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = slackUser },
            ["response_url"] = _slack.Url + "/response",
            ["actions"] = new JsonArray(new JsonObject { ["action_id"] = action, ["value"] = (requestId ?? _requestId).ToString(CultureInfo.InvariantCulture) }),
        };
        return SignedPostAsync("/api/v1/integrations/slack/interactions", "payload=" + Uri.EscapeDataString(payload.ToJsonString()), at, secret);
    }

    private async Task<string> CommandTextAsync(string slackUser, string text) =>
        JsonNode.Parse(await (await CommandAsync(slackUser, text)).Content.ReadAsStringAsync())!["text"]!.GetValue<string>();

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

    /// <summary>
    /// Waits in real time, without moving the fake clock, for the Slack outbox to post: it is woken when
    /// something is stored, so nothing here needs the clock; bounded so a broken sender fails the test.
    /// </summary>
    private async Task<List<Receiver.Received>> PostedAsync(int count, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (_slack.Requests.Count < count && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(count, _slack.Requests.Count);
        return [.. _slack.Requests];
    }

    private async Task<string> StatusAsync() => (await _admin.GetOkAsync($"/api/v1/access-requests/{_requestId}"))["status"]!.GetValue<string>();

    [Fact]
    public async Task A_signed_click_by_the_linked_owner_approves_and_updates_the_message()
    {
        var response = await ClickAsync("UADMIN", "approve");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("approved", await StatusAsync());
        var update = JsonNode.Parse(Assert.Single(await PostedAsync(1)).Body)!;
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
        Assert.Contains("Not done", JsonNode.Parse(Assert.Single(await PostedAsync(1)).Body)!["text"]!.GetValue<string>(), StringComparison.Ordinal);
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

    [Fact]
    public async Task An_interaction_whose_response_url_takes_6_s_is_answered_within_1_s_and_the_update_still_arrives()
    {
        // The same path once at full speed first, so that the timing below measures JitGate, not the JIT.
        var warmup = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "warm up" });
        await ClickAsync("UADMIN", "approve", requestId: warmup["id"]!.GetValue<long>());
        await PostedAsync(1);
        _slack.Delay = TimeSpan.FromSeconds(6);

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var response = await ClickAsync("UADMIN", "approve");
        var answeredIn = stopwatch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(answeredIn < TimeSpan.FromSeconds(1), $"Slack was answered after {answeredIn.TotalMilliseconds:F0} ms");
        Assert.Equal("approved", await StatusAsync());
        var update = JsonNode.Parse((await PostedAsync(2))[1].Body)!;
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(6));
        Assert.True(update["replace_original"]!.GetValue<bool>());
        Assert.Contains($"#{_requestId} by dev@example.com: approved by admin@example.com", update["text"]!.GetValue<string>(), StringComparison.Ordinal);
        // Posted once: the slow answer was not taken for a failure and sent again.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _slack.Requests.Count);
    }

    [Fact]
    public async Task A_response_url_that_fails_gets_the_update_on_a_later_attempt()
    {
        _slack.FailNext(4);
        await ClickAsync("UADMIN", "approve");
        Assert.Equal("approved", await StatusAsync());
        // Polly retries at once (3 tries); the outbox tries again after its pause, on the app's clock.
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(_slack.Requests.Count >= 5));
        var posts = _slack.Requests.ToList();
        Assert.Equal(5, posts.Count);
        Assert.All(posts, p => Assert.Equal(posts[0].Body, p.Body));
    }

    [Fact]
    public async Task Slacks_own_example_request_verifies()
    {
        // The worked example on Slack's "Verifying requests from Slack" page, byte for byte.
        const string body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar" +
            "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J" +
            "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        const string signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        Assert.Equal(signature, JitGate.Core.Features.Webhooks.WebhookSignature.SlackSign(SigningSecret, "1531420618", body));

        // And through the route, on a server whose clock reads that day (the page's timestamp, plus a minute).
        await using var app = new JitGateApp(clock: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1531420618 + 60)));
        var admin = await Api.SignupAdminAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync("/api/v1/settings/slack", new { signingSecret = SigningSecret })).StatusCode);
        async Task<HttpResponseMessage> SendAsync(string sent, string sig)
        {
            using var client = app.CreateClient();
            using var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/integrations/slack/commands") { Content = new StringContent(sent, Encoding.UTF8, "application/x-www-form-urlencoded") };
            message.Headers.Add("X-Slack-Request-Timestamp", "1531420618");
            message.Headers.Add("X-Slack-Signature", sig);
            return await client.SendAsync(message);
        }
        var accepted = await SendAsync(body, signature);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("/jit request", JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        await Api.ProblemAsync(await SendAsync(body.Replace("roadrunner", "roadrunnes", StringComparison.Ordinal), signature), HttpStatusCode.Unauthorized, "slack-signature");
    }

    [Fact]
    public async Task A_2000_character_reason_of_ampersands_produces_a_message_within_every_Block_Kit_limit()
    {
        await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "slack", url = _slack.Url + "/hook", events = new[] { "approvalNeeded" } });
        var reason = new string('&', 2000);
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason });
        var link = $"/requests/{request["id"]}|";
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(_slack.Requests.Any(r => r.Path == "/hook" && r.Body.Contains(link, StringComparison.Ordinal))));

        var message = JsonNode.Parse(_slack.Requests.Single(r => r.Path == "/hook" && r.Body.Contains(link, StringComparison.Ordinal)).Body)!;
        Assert.Empty(BlockKitLimits.Violations(message));
        var section = message["blocks"]![0]!["text"]!["text"]!.GetValue<string>();
        // Cut, with the ellipsis and a link to the request, and no escape cut in half.
        Assert.Contains("…", section, StringComparison.Ordinal);
        Assert.EndsWith($"/requests/{request["id"]}|Read it all in JitGate>", section, StringComparison.Ordinal);
        Assert.True(BlockKitLimits.EscapesWhole(section[..section.IndexOf('…', StringComparison.Ordinal)]));
        Assert.True(section.Length > 2900, $"cut to {section.Length}: more was thrown away than needed");
        // Buttons still there and within theirs.
        Assert.Equal(["approve", "reject", "open"], message["blocks"]!.AsArray().Last()!["elements"]!.AsArray().Select(e => e!["action_id"]!.GetValue<string>()));

        // The same reason through /jit break-glass, whose answer repeats it.
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings",
            new { breakGlass = new { enabled = true, roles = new[] { "sqlEditorUser" }, environments = new[] { "prod" }, maxDuration = "PT1H" } })).StatusCode);
        var reply = JsonNode.Parse(await (await CommandAsync("UDEV", "break-glass hr_prod * 30m " + reason)).Content.ReadAsStringAsync())!;
        Assert.Empty(BlockKitLimits.Violations(reply));
        Assert.Contains("Break-glass", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(BlockKitLimits.EscapesWhole(reply["text"]!.GetValue<string>().Split('…')[0]));
    }

    [Fact]
    public async Task End_gives_back_ones_own_access_and_never_someone_elses()
    {
        var mine = await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", scope = new { databases = new[] { "hr_prod" } }, duration = "PT4H" });
        var theirs = await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "PT4H" });
        var mineId = mine["id"]!.GetValue<long>();
        var theirsId = theirs["id"]!.GetValue<long>();

        // Holding two (the developer role and the editor binding), the developer is asked which.
        Assert.Contains($"/jit end", await CommandTextAsync("UDEV", "end"), StringComparison.Ordinal);
        Assert.Contains("no access", await CommandTextAsync("UDEV", $"end {theirsId}"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select count(*) from salary")).StatusCode);
        Assert.Contains("has ended", await CommandTextAsync("UDEV", $"end {mineId}"), StringComparison.Ordinal);
        Assert.Contains("no access", await CommandTextAsync("UDEV", $"end {mineId}"), StringComparison.Ordinal);

        var bindings = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings?status=revoked")).AsArray();
        var ended = bindings.Single(b => b!["id"]!.GetValue<long>() == mineId)!;
        Assert.Equal("dev@example.com", ended["revokedBy"]!.GetValue<string>());
        Assert.DoesNotContain(bindings, b => b!["id"]!.GetValue<long>() == theirsId);
        Assert.Contains((await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray(), b => b!["id"]!.GetValue<long>() == theirsId);
        var audit = (await _admin.GetOkAsync("/api/v1/audit?action=binding.revoke")).AsArray();
        Assert.Contains(audit, r => r!["actor"]!.GetValue<string>() == "dev@example.com");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task Break_glass_from_slack_follows_the_projects_settings()
    {
        Assert.Contains("Break-glass is off", await CommandTextAsync("UDEV", "break-glass hr_prod * 30m db down"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings",
            new { breakGlass = new { enabled = true, roles = new[] { "sqlEditorUser" }, environments = new[] { "prod" }, maxDuration = "PT1H" } })).StatusCode);
        Assert.Contains("Not done", await CommandTextAsync("UDEV", "break-glass hr_test * 30m db down"), StringComparison.Ordinal);

        var response = JsonNode.Parse(await (await CommandAsync("UDEV", "break-glass hr_prod * 30m db down")).Content.ReadAsStringAsync())!;
        Assert.Equal("in_channel", response["response_type"]!.GetValue<string>());
        Assert.Contains("dev@example.com has sqlEditorUser on hr_prod", response["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var reviews = (await _admin.GetOkAsync("/api/v1/projects/sample/break-glass/reviews")).AsArray();
        Assert.Single(reviews);
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "SELECT count(*) FROM employee")).StatusCode);
    }
}
