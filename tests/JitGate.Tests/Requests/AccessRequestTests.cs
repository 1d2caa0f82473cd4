using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Requests;

/// <summary>Step 4 of the user story over HTTP: request, risk, approval flow, access, expiry.</summary>
public class AccessRequestTests : IAsyncLifetime
{
    private readonly JitGateApp _app;

    public AccessRequestTests() : this(null) { }

    protected AccessRequestTests(JitGateApp? app) => _app = app ?? new JitGateApp();
    private Api _admin = null!;
    private Api _owner = null!;
    private Api _dev = null!;

    private static readonly object ThreeTables = new
    {
        tables = new[] { new { database = "hr_prod", table = "employee" }, new { database = "hr_prod", table = "salary" }, new { database = "hr_prod", table = "title" } },
    };

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _owner = await _admin.CreateUserAsync(_app, "owner@example.com");
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:owner@example.com", role = "projectOwner" });
        await _admin.PostOkAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task ConfigureStoryAsync(params object[] extraFlows)
    {
        var rules = await _admin.Http.PutAsJsonAsync("/api/v1/settings/risk-rules",
            new[] { new { source = "requestRole", level = "high", title = "Prod is high risk", condition = "environment_id == \"prod\"" } });
        Assert.Equal(HttpStatusCode.OK, rules.StatusCode);
        var flows = await _admin.Http.PutAsJsonAsync("/api/v1/settings/approval-flows",
            new object[] { new { source = "requestRole", level = "high", steps = new[] { "projectOwner" } } }.Concat(extraFlows).ToArray());
        Assert.Equal(HttpStatusCode.OK, flows.StatusCode);
    }

    [Fact]
    public async Task The_story_request_is_high_risk_waits_for_the_owner_and_then_grants_exactly_the_tables()
    {
        await ConfigureStoryAsync();
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = ThreeTables, duration = "PT4H", reason = "incident 42: payroll totals wrong" });
        Assert.Equal("pendingApproval", request["status"]!.GetValue<string>());
        Assert.Equal("high", request["riskLevel"]!.GetValue<string>());
        var step = Assert.Single(request["approvalSteps"]!.AsArray());
        Assert.Equal("projectOwner", step!["role"]!.GetValue<string>());
        var id = request["id"]!.GetValue<long>();

        await Api.ProblemAsync(await _dev.PostAsync($"/api/v1/access-requests/{id}/approve", new { }), HttpStatusCode.Forbidden, "not-an-approver");
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");

        _app.Clock.Advance(TimeSpan.FromMinutes(30));
        var approved = await _owner.PostOkAsync($"/api/v1/access-requests/{id}/approve", new { comment = "go ahead" }, HttpStatusCode.OK);
        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        var bindingId = approved["bindingId"]!.GetValue<long>();
        var binding = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Single(b => b!["id"]!.GetValue<long>() == bindingId)!;
        Assert.Equal("request", binding["source"]!.GetValue<string>());
        // The duration counts from approval, not from the request.
        Assert.Equal(JitGateApp.Start.AddMinutes(30).AddHours(4), binding["expiresAt"]!.GetValue<DateTimeOffset>());

        var join = await _dev.QueryAsync("hr_prod", "select e.first_name, s.amount, t.title from employee e join salary s using (emp_no) join title t using (emp_no) limit 5");
        Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        var denied = await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from department"), HttpStatusCode.Forbidden, "access-denied");
        Assert.Equal(["department"], Api.DeniedTables(denied));

        _app.Clock.Advance(TimeSpan.FromHours(4));
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task A_request_matching_no_rule_is_low_and_an_explicit_empty_flow_approves_at_once()
    {
        await ConfigureStoryAsync(new { source = "requestRole", level = "low", steps = Array.Empty<string>() });
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "debugging" });
        Assert.Equal("low", request["riskLevel"]!.GetValue<string>());
        Assert.Equal("approved", request["status"]!.GetValue<string>());
        Assert.NotNull(request["bindingId"]);
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_test", "select * from department")).StatusCode);
    }

    [Fact]
    public async Task Without_a_low_flow_a_low_request_waits_for_a_project_owner()
    {
        await ConfigureStoryAsync();
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "debugging" });
        Assert.Equal("low", request["riskLevel"]!.GetValue<string>());
        Assert.Equal("pendingApproval", request["status"]!.GetValue<string>());
        Assert.Equal("projectOwner", request["approvalSteps"]![0]!["role"]!.GetValue<string>());
        var waiting = (await _owner.GetOkAsync("/api/v1/access-requests?filter=waitingForMe")).AsArray();
        Assert.Single(waiting);
        Assert.Empty((await _dev.GetOkAsync("/api/v1/access-requests?filter=waitingForMe")).AsArray());
    }

    [Fact]
    public async Task Steps_are_taken_in_order_owner_then_dba()
    {
        await ConfigureStoryAsync();
        await _admin.Http.PutAsJsonAsync("/api/v1/settings/approval-flows",
            new[] { new { source = "requestRole", level = "high", steps = new[] { "projectOwner", "workspaceDba" } } });
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "PT1H", reason = "incident" });
        var id = request["id"]!.GetValue<long>();

        await Api.ProblemAsync(await dba.PostAsync($"/api/v1/access-requests/{id}/approve", new { }), HttpStatusCode.Forbidden, "not-an-approver");
        var afterOwner = await _owner.PostOkAsync($"/api/v1/access-requests/{id}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal("pendingApproval", afterOwner["status"]!.GetValue<string>());
        await Api.ProblemAsync(await _owner.PostAsync($"/api/v1/access-requests/{id}/approve", new { }), HttpStatusCode.Forbidden, "not-an-approver");
        var done = await dba.PostOkAsync($"/api/v1/access-requests/{id}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal("approved", done["status"]!.GetValue<string>());
        Assert.Equal(["owner@example.com", "dba@example.com"], done["approvalSteps"]!.AsArray().Select(s => s!["by"]!.GetValue<string>()));
        await Api.ProblemAsync(await dba.PostAsync($"/api/v1/access-requests/{id}/approve", new { }), HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Invalid_conditions_are_400_with_a_position_and_nothing_is_saved()
    {
        await ConfigureStoryAsync();
        foreach (var (condition, position) in new[] { ("environment_id ==", 17), ("foo == 1", 0), ("\"a\" + 1 > 2", 4) })
        {
            var response = await _admin.Http.PutAsJsonAsync("/api/v1/settings/risk-rules",
                new[] { new { source = "requestRole", level = "moderate", title = "bad", condition } });
            var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
            Assert.Equal(position, problem["position"]!.GetValue<int>());
            Assert.Contains("position", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var saved = Assert.Single((await _admin.GetOkAsync("/api/v1/settings/risk-rules")).AsArray());
        Assert.Equal("environment_id == \"prod\"", saved!["condition"]!.GetValue<string>());
        await Api.ProblemAsync(await _dev.Http.PutAsJsonAsync("/api/v1/settings/risk-rules", Array.Empty<object>()), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Concurrent_approvals_make_exactly_one_binding_and_one_approved_event()
    {
        await ConfigureStoryAsync();
        var approvers = new List<Api>();
        for (var i = 0; i < 20; i++)
        {
            var owner = await _admin.CreateUserAsync(_app, $"owner{i}@example.com");
            await _admin.BindAsync("sample", new { principal = $"user:owner{i}@example.com", role = "projectOwner" });
            approvers.Add(owner);
        }
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "PT1H", reason = "incident" });
        var id = request["id"]!.GetValue<long>();

        var answers = await Task.WhenAll(approvers.Select(a => a.PostAsync($"/api/v1/access-requests/{id}/approve", new { })));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        Assert.Single((await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray(), b => b!["source"]!.GetValue<string>() == "request");
        Assert.Single((await _admin.GetOkAsync("/api/v1/events?event=requestApproved")).AsArray());
    }

    [Fact]
    public async Task Reject_cancel_and_re_request()
    {
        await ConfigureStoryAsync();
        var first = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "PT1H", reason = "incident" });
        var id = first["id"]!.GetValue<long>();
        await Api.ProblemAsync(await _owner.PostAsync($"/api/v1/access-requests/{id}/reject", new { }), HttpStatusCode.BadRequest, "validation");
        var rejected = await _owner.PostOkAsync($"/api/v1/access-requests/{id}/reject", new { comment = "use hr_test" }, HttpStatusCode.OK);
        Assert.Equal("rejected", rejected["status"]!.GetValue<string>());
        await Api.ProblemAsync(await _dev.PostAsync($"/api/v1/access-requests/{id}/cancel", new { }), HttpStatusCode.Conflict, "conflict");

        var second = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "PT1H", reason = "incident, again" });
        var secondId = second["id"]!.GetValue<long>();
        await Api.ProblemAsync(await _owner.PostAsync($"/api/v1/access-requests/{secondId}/cancel", new { }), HttpStatusCode.Forbidden, "forbidden");
        var canceled = await _dev.PostOkAsync($"/api/v1/access-requests/{secondId}/cancel", new { }, HttpStatusCode.OK);
        Assert.Equal("canceled", canceled["status"]!.GetValue<string>());
        var timeline = (await _dev.GetOkAsync($"/api/v1/access-requests/{id}"))["timeline"]!.AsArray();
        Assert.Equal(["created", "rejected"], timeline.Select(t => t!["kind"]!.GetValue<string>()));
        Assert.Equal("use hr_test", timeline[1]!["comment"]!.GetValue<string>());
        var events = (await _admin.GetOkAsync("/api/v1/events")).AsArray().Select(e => e!["event"]!.GetValue<string>()).ToList();
        Assert.Equal(["requestCreated", "approvalNeeded", "requestRejected", "requestCreated", "approvalNeeded", "requestCanceled"], events);
    }

    [Fact]
    public async Task Requests_of_other_projects_and_of_others_are_not_visible()
    {
        await ConfigureStoryAsync();
        await _admin.PostOkAsync("/api/v1/projects", new { id = "billing", title = "Billing" });
        var stranger = await _admin.CreateUserAsync(_app, "stranger@example.com");
        await _admin.BindAsync("billing", new { principal = "user:stranger@example.com", role = "projectOwner" });
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "PT1H", reason = "incident" });
        var id = request["id"]!.GetValue<long>();
        await Api.ProblemAsync(await stranger.Http.GetAsync($"/api/v1/access-requests/{id}"), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await stranger.PostAsync($"/api/v1/access-requests/{id}/approve", new { }), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await stranger.PostAsync("/api/v1/projects/sample/access-requests", new { duration = "PT1H", reason = "x" }), HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await stranger.GetOkAsync("/api/v1/access-requests")).AsArray());
        Assert.Equal("pendingApproval", (await _dev.GetOkAsync($"/api/v1/access-requests/{id}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_request_input_is_400_and_stores_nothing()
    {
        foreach (var body in new object[]
        {
            new { scope = ThreeTables, duration = "PT1H" },
            new { scope = ThreeTables, duration = "PT1H", reason = "  " },
            new { scope = ThreeTables, reason = "x" },
            new { scope = ThreeTables, duration = "-PT1H", reason = "x" },
            new { scope = ThreeTables, expiresAt = JitGateApp.Start.AddHours(-1), reason = "x" },
            new { role = "owner", scope = ThreeTables, duration = "PT1H", reason = "x" },
            new { scope = new { databases = new[] { "nope" } }, duration = "PT1H", reason = "x" },
        })
        {
            await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/access-requests", body), HttpStatusCode.BadRequest, "validation");
        }
        await Api.ProblemAsync(await _dev.PostAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "P100Y", reason = "x" }),
            HttpStatusCode.BadRequest, "exceeds-maximum");
        Assert.Empty((await _dev.GetOkAsync("/api/v1/projects/sample/access-requests")).AsArray());
        Assert.Empty((await _admin.GetOkAsync("/api/v1/events")).AsArray());
    }

    [Fact]
    public async Task The_denied_answer_carries_a_request_body_that_can_be_sent_as_is()
    {
        await ConfigureStoryAsync();
        var denied = await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from salary s join title t using (emp_no)"), HttpStatusCode.Forbidden, "access-denied");
        var prefill = denied["accessRequest"]!;
        var body = prefill["body"]!.AsObject();
        body["reason"] = "incident 7";
        var response = await _dev.Http.PostAsJsonAsync(prefill["href"]!.GetValue<string>(), body);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["salary", "title"], created["scope"]!["tables"]!.AsArray().Select(t => t!["table"]!.GetValue<string>()).Order());
        var preview = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests/preview", body, HttpStatusCode.OK);
        Assert.Equal("high", preview["riskLevel"]!.GetValue<string>());
        Assert.Equal(["projectOwner"], preview["steps"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task A_pending_request_survives_a_restart_and_an_approved_extension_moves_the_expiry()
    {
        await ConfigureStoryAsync();
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = ThreeTables, duration = "PT1H", reason = "incident" });
        var approved = await _owner.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);
        var bindingId = approved["bindingId"]!.GetValue<long>();
        var pending = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { extendsBinding = bindingId, duration = "PT8H", reason = "still digging" });
        Assert.Equal("sqlEditorUser", pending["role"]!.GetValue<string>());
        await _app.DisposeAsync();

        await using var again = _app.Restarted();
        var owner = new Api(again.CreateClient());
        await owner.LoginAsync("owner@example.com", "user-password-1");
        var reloaded = await owner.GetOkAsync($"/api/v1/access-requests/{pending["id"]}");
        Assert.Equal("pendingApproval", reloaded["status"]!.GetValue<string>());
        _app.Clock.Advance(TimeSpan.FromMinutes(50));
        var extended = await owner.PostOkAsync($"/api/v1/access-requests/{pending["id"]}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal(bindingId, extended["bindingId"]!.GetValue<long>());
        var binding = (await owner.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Single(b => b!["id"]!.GetValue<long>() == bindingId)!;
        Assert.Equal(JitGateApp.Start.AddMinutes(50).AddHours(8), binding["expiresAt"]!.GetValue<DateTimeOffset>());
        _app.Clock.Advance(TimeSpan.FromHours(2));
        var dev = new Api(again.CreateClient());
        await dev.LoginAsync("dev@example.com", "user-password-1");
        Assert.Equal(HttpStatusCode.OK, (await dev.QueryAsync("hr_prod", "select * from salary limit 1")).StatusCode);
    }
}
