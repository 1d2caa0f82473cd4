using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using JitGate.Core.Features.Webhooks;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Lifecycle;

/// <summary>
/// Access beyond grant-and-expire, on a fake clock: scheduled windows, pending requests that expire,
/// per-environment maxima, reason rules, break-glass with its review, and access tied to an incident.
/// </summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private const string IncidentSecret = "incident-secret-0123456789";
    private static readonly object ProdTables = new { tables = new[] { new { database = "hr_prod", table = "salary" }, new { database = "hr_prod", table = "employee" } } };

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

    private DateTimeOffset Now => _app.Clock.GetUtcNow();

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<HttpStatusCode> QueryAsync() => (await _dev.QueryAsync("hr_prod", "select count(*) from salary")).StatusCode;

    private async Task TickAsync(TimeSpan by)
    {
        _app.Clock.Advance(by);
        // Let the one-second jobs (expiry, lifecycle, reconcile) run on the new time.
        for (var i = 0; i < 3; i++)
        {
            _app.Clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(150);
        }
    }

    private async Task<List<string>> EventsAsync() =>
        (await _admin.GetOkAsync("/api/v1/events")).AsArray().Select(e => e!["event"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task A_window_that_starts_in_an_hour_is_refused_until_then_and_lasts_its_duration_from_the_start()
    {
        var binding = await _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", scope = ProdTables, startsAt = Iso(Now.AddHours(1)), duration = "PT2H",
        });
        Assert.Equal("scheduled", binding["status"]!.GetValue<string>());
        Assert.Equal(Now.AddHours(3), binding["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(HttpStatusCode.Forbidden, await QueryAsync());

        await TickAsync(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.Forbidden, await QueryAsync());
        await TickAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await QueryAsync());
        await Eventually.HoldsAsync(_app.Clock, async () => (await EventsAsync()).Contains("accessStarting"));
        var started = (await _admin.GetOkAsync("/api/v1/audit?action=binding.start")).AsArray();
        Assert.Single(started);

        await TickAsync(TimeSpan.FromHours(2));
        Assert.Equal(HttpStatusCode.Forbidden, await QueryAsync());
    }

    [Fact]
    public async Task A_request_approved_before_its_start_waits_for_it_and_one_approved_late_starts_at_approval()
    {
        var early = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { scope = ProdTables, startsAt = Iso(Now.AddHours(2)), duration = "PT1H", reason = "maintenance window" });
        Assert.Equal(Now.AddHours(2), early["startsAt"]!.GetValue<DateTimeOffset>());
        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{early["id"]}/approve", new { }, HttpStatusCode.OK);
        var binding = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Single(b => b!["id"]!.GetValue<long>() == approved["bindingId"]!.GetValue<long>())!;
        Assert.Equal("scheduled", binding["status"]!.GetValue<string>());
        Assert.Equal(Now.AddHours(3), binding["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(HttpStatusCode.Forbidden, await QueryAsync());

        var late = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { scope = new { databases = new[] { "hr_test" } }, startsAt = Iso(Now.AddMinutes(30)), duration = "PT1H", reason = "late" });
        await TickAsync(TimeSpan.FromHours(1));
        var lateApproved = await _admin.PostOkAsync($"/api/v1/access-requests/{late["id"]}/approve", new { }, HttpStatusCode.OK);
        Assert.Contains(lateApproved["timeline"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "startedLate");
        var lateBinding = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Single(b => b!["id"]!.GetValue<long>() == lateApproved["bindingId"]!.GetValue<long>())!;
        Assert.Equal("active", lateBinding["status"]!.GetValue<string>());
        Assert.Equal(Now.AddHours(1), lateBinding["expiresAt"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("2026-12-01T05:58:45")]
    [InlineData("past")]
    public async Task A_start_in_the_past_or_without_an_offset_is_refused(string startsAt)
    {
        var value = startsAt == "past" ? Iso(Now.AddMinutes(-5)) : startsAt;
        var response = await _admin.Http.PostAsync("/api/v1/projects/sample/bindings", new StringContent(
            $"{{\"principal\":\"user:dev@example.com\",\"role\":\"sqlEditorUser\",\"duration\":\"PT1H\",\"startsAt\":\"{value}\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_pending_request_nobody_decides_expires_and_says_so()
    {
        var settings = await _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings", new { pendingRequestTtl = "PT2H" });
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT1H", reason = "incident" });
        Assert.Equal(Now.AddHours(2), request["decideBy"]!.GetValue<DateTimeOffset>());

        await TickAsync(TimeSpan.FromHours(2));
        await Eventually.HoldsAsync(_app.Clock, async () => (await _dev.GetOkAsync($"/api/v1/access-requests/{request["id"]}"))["status"]!.GetValue<string>() == "expired");
        Assert.Contains("requestExpired", await EventsAsync());
        await Api.ProblemAsync(await _admin.PostAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }), HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task An_environment_maximum_shorter_than_the_workspace_one_wins_on_every_path()
    {
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/environments/prod", new { maxAccessDuration = "PT8H" })).StatusCode);
        Assert.Equal("PT8H", (await _admin.GetOkAsync("/api/v1/environments")).AsArray().Single(e => e!["id"]!.GetValue<string>() == "prod")!["maxAccessDuration"]!.GetValue<string>());

        var grant = await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D", scope = ProdTables }), HttpStatusCode.BadRequest, "exceeds-maximum");
        Assert.Contains("Prod", grant["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("PT8H", grant["maxDuration"]!.GetValue<string>());
        // A scope with no database in Prod keeps the workspace maximum; no scope reaches Prod too.
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D", scope = new { databases = new[] { "hr_test" } } });
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D" }), HttpStatusCode.BadRequest, "exceeds-maximum");
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/access-requests",
            new { scope = ProdTables, duration = "PT9H", reason = "incident" }), HttpStatusCode.BadRequest, "exceeds-maximum");

        // Asked under the old maximum, approved under the new one: shortened to it.
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/environments/prod", new { maxAccessDuration = "" })).StatusCode);
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT20H", reason = "incident" });
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/environments/prod", new { maxAccessDuration = "PT4H" })).StatusCode);
        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);
        var shortened = approved["timeline"]!.AsArray().Single(e => e!["kind"]!.GetValue<string>() == "shortened")!;
        Assert.Contains("Prod", shortened["comment"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reason_must_match_the_projects_pattern_on_every_path()
    {
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings", new { reasonPattern = "INC-[0-9]+" })).StatusCode);
        Assert.Equal("INC-[0-9]+", (await _dev.GetOkAsync("/api/v1/projects/sample/settings"))["reasonPattern"]!.GetValue<string>());

        var refused = await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT1H", reason = "looking around" }),
            HttpStatusCode.BadRequest, "reason-pattern");
        Assert.Equal("INC-[0-9]+", refused["pattern"]!.GetValue<string>());
        await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT1H", reason = "INC-42 payroll is wrong" });
        await Api.ProblemAsync(await _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings", new { reasonPattern = "(a" }), HttpStatusCode.BadRequest, "validation");
        // Only owners and admins change settings.
        await Api.ProblemAsync(await _dev.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings", new { reasonPattern = "" }), HttpStatusCode.Forbidden, "forbidden");
    }

    private Task<HttpResponseMessage> EnableBreakGlassAsync(bool requireIncident = false) =>
        _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings",
            new { breakGlass = new { enabled = true, roles = new[] { "sqlEditorUser" }, environments = new[] { "prod" }, maxDuration = "PT1H", requireIncident } });

    [Fact]
    public async Task Break_glass_notifies_flags_queries_opens_a_review_escalates_and_blocks_a_second_one()
    {
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/break-glass", new { scope = ProdTables, reason = "db down" }), HttpStatusCode.Forbidden, "break-glass-not-allowed");
        Assert.Equal(HttpStatusCode.OK, (await EnableBreakGlassAsync()).StatusCode);
        await _admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = _receiver.Url + "/bg", events = new[] { "breakGlassActivated", "breakGlassReviewOverdue" } });

        // Longer than the break-glass maximum, or outside its environments: refused.
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/break-glass", new { scope = ProdTables, duration = "PT2H", reason = "db down" }), HttpStatusCode.BadRequest, "exceeds-maximum");
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/break-glass", new { scope = new { databases = new[] { "hr_test" } }, reason = "db down" }), HttpStatusCode.Forbidden, "break-glass-not-allowed");

        var made = await _dev.PostOkAsync("/api/v1/projects/sample/break-glass", new { scope = ProdTables, reason = "db down, payroll run blocked" });
        Assert.True(made["binding"]!["breakGlass"]!.GetValue<bool>());
        Assert.Equal(Now.AddHours(1), made["binding"]!["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("open", made["review"]!["status"]!.GetValue<string>());
        Assert.Equal(Now.AddHours(24), made["review"]!["dueAt"]!.GetValue<DateTimeOffset>());

        Assert.Equal(HttpStatusCode.OK, await QueryAsync());
        var query = (await _admin.GetOkAsync("/api/v1/audit?action=query.execute")).AsArray()[0]!;
        Assert.True(query["detail"]!["breakGlass"]!.GetValue<bool>());
        await Eventually.HoldsAsync(_app.Clock, () => Task.FromResult(_receiver.Requests.Any(r => r.Body.Contains("breakGlassActivated", StringComparison.Ordinal))));

        var reviewId = made["review"]!["id"]!.GetValue<long>();
        await Api.ProblemAsync(await _dev.PostAsync($"/api/v1/break-glass/reviews/{reviewId}/confirm", new { comment = "it was me" }), HttpStatusCode.Forbidden, "not-an-approver");
        var listed = (await _admin.GetOkAsync("/api/v1/projects/sample/break-glass/reviews")).AsArray();
        Assert.Equal(reviewId, Assert.Single(listed)!["id"]!.GetValue<long>());

        // Left open past its day: escalated, and its holder cannot break glass again until it is decided.
        await TickAsync(TimeSpan.FromHours(24));
        // A day later the sign-in tokens (12 h) have run out too.
        await _admin.LoginAsync("admin@example.com", "admin-password-1");
        await _dev.LoginAsync("dev@example.com", "user-password-1");
        await Eventually.HoldsAsync(_app.Clock, async () => (await EventsAsync()).Contains("breakGlassReviewOverdue"));
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/break-glass", new { scope = ProdTables, reason = "again" }), HttpStatusCode.Forbidden, "break-glass-not-allowed");
        await Api.ProblemAsync(await _admin.PostAsync($"/api/v1/break-glass/reviews/{reviewId}/flag", new { }), HttpStatusCode.BadRequest, "validation");
        var flagged = await _admin.PostOkAsync($"/api/v1/break-glass/reviews/{reviewId}/flag", new { comment = "no incident was open" }, HttpStatusCode.OK);
        Assert.Equal("flagged", flagged["status"]!.GetValue<string>());
        await Api.ProblemAsync(await _admin.PostAsync($"/api/v1/break-glass/reviews/{reviewId}/confirm", new { }), HttpStatusCode.Conflict, "conflict");
        await _dev.PostOkAsync("/api/v1/projects/sample/break-glass", new { scope = ProdTables, reason = "again, for real" });
    }

    private async Task<HttpResponseMessage> IncidentAsync(string body, string? secret = IncidentSecret)
    {
        var timestamp = Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/integrations/incidents") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-JitGate-Timestamp", timestamp);
        request.Headers.Add("X-JitGate-Signature", WebhookSignature.Sign(secret ?? "", timestamp, body));
        using var anonymous = _app.CreateClient();
        return await anonymous.SendAsync(request);
    }

    [Fact]
    public async Task An_incident_can_approve_at_once_and_its_resolution_ends_the_access_tied_to_it()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/incidents", new { secret = IncidentSecret })).StatusCode);
        await Api.ProblemAsync(await IncidentAsync("""{"id":"INC-7","status":"triggered"}""", "wrong-secret-0123456789"), HttpStatusCode.Unauthorized, "incident-signature");
        Assert.Equal(HttpStatusCode.OK, (await IncidentAsync("""{"id":"INC-7","status":"triggered","title":"Payroll down"}""")).StatusCode);
        Assert.Equal("triggered", (await _dev.GetOkAsync("/api/v1/incidents")).AsArray().Single()!["status"]!.GetValue<string>());

        // High risk normally waits for an owner; a live incident approves at once.
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/risk-rules",
            new[] { new { source = "requestRole", level = "high", title = "Prod", condition = "environment_id == \"prod\"" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/approval-flows",
            new[] { new { source = "requestRole", level = "high", steps = new[] { "projectOwner" }, autoApproveWhen = "request.incident.status == \"triggered\"" } })).StatusCode);
        var quiet = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT4H", reason = "curious" });
        Assert.Equal("pendingApproval", quiet["status"]!.GetValue<string>());
        var urgent = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT4H", reason = "payroll", incident = "INC-7" });
        Assert.Equal("approved", urgent["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await QueryAsync());

        // PagerDuty says it is resolved: the access ends now (no grace set), whatever its expiry.
        var resolved = await IncidentAsync("""{"event":{"event_type":"incident.resolved","data":{"id":"INC-7","title":"Payroll down","html_url":"https://pd.example/INC-7","status":"resolved"}}}""");
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await QueryAsync());
        Assert.Single((await _admin.GetOkAsync("/api/v1/audit?action=binding.incidentEnd")).AsArray());
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT4H", reason = "again", incident = "INC-7" }),
            HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Access_tied_to_an_incident_outlives_it_by_the_projects_grace()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.PutAsJsonAsync("/api/v1/settings/incidents", new { secret = IncidentSecret })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings", new { incidentGrace = "PT15M" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IncidentAsync("""{"id":"INC-9","status":"acknowledged"}""")).StatusCode);
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ProdTables, duration = "PT4H", reason = "db", incident = "INC-9" });
        await _admin.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, (await IncidentAsync("""{"id":"INC-9","status":"resolved"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await QueryAsync());
        await TickAsync(TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.Forbidden, await QueryAsync());
    }
}
