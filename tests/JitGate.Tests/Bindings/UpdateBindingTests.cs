using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Bindings;

/// <summary>Changing a binding's expiry and reason over PATCH: who may, within which limits, and what it does to access.</summary>
public sealed class UpdateBindingTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _owner = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        await _admin.PostOkAsync("/api/v1/projects", new { id = "billing", title = "Billing" });
        _owner = await _admin.CreateUserAsync(_app, "owner@example.com");
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:owner@example.com", role = "projectOwner" });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Task<HttpResponseMessage> PatchAsync(Api caller, string project, long id, object body) =>
        caller.Http.PatchAsJsonAsync($"/api/v1/projects/{project}/bindings/{id}", body);

    private static async Task<long> GrantDevProdAsync(Api granter, string duration = "PT1H") =>
        (await granter.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration, scope = new { databases = new[] { "hr_prod" } } }))["id"]!.GetValue<long>();

    [Fact]
    public async Task An_owner_extends_in_their_own_project_and_the_developer_queries_past_the_old_expiry()
    {
        var id = await GrantDevProdAsync(_owner);

        var response = await PatchAsync(_owner, "sample", id, new { duration = "PT4H", reason = "incident 42 runs long" });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(JitGateApp.Start.AddHours(4), body["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("incident 42 runs long", body["reason"]!.GetValue<string>());
        Assert.Equal("active", body["status"]!.GetValue<string>());

        // Past the old expiry, the binding still reads; past the new one, it does not.
        _app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select * from salary limit 1")).StatusCode);
        _app.Clock.Advance(TimeSpan.FromHours(2));
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");

        var audit = (await _admin.GetOkAsync("/api/v1/audit?action=binding.update")).AsArray();
        var record = Assert.Single(audit)!;
        Assert.Equal("owner@example.com", record["actor"]!.GetValue<string>());
        Assert.Equal("success", record["outcome"]!.GetValue<string>());
        Assert.Equal(JitGateApp.Start.AddHours(1), record["detail"]!["previousExpiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(JitGateApp.Start.AddHours(4), record["detail"]!["expiresAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Shortening_ends_access_at_the_new_expiry()
    {
        var id = await GrantDevProdAsync(_admin, "P1D");
        var at = JitGateApp.Start.AddMinutes(30);
        var response = await PatchAsync(_admin, "sample", id, new { expiresAt = at });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        _app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select * from salary limit 1")).StatusCode);
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");

        // Ended access is not revived by editing it: a new grant says what happened.
        await Api.ProblemAsync(await PatchAsync(_admin, "sample", id, new { duration = "PT1H" }), HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_member_who_is_not_an_owner_may_not_edit()
    {
        var id = await GrantDevProdAsync(_owner);
        await Api.ProblemAsync(await PatchAsync(_dev, "sample", id, new { duration = "P7D" }), HttpStatusCode.Forbidden, "forbidden");
        var outsider = await _admin.CreateUserAsync(_app, "outsider@example.com");
        await Api.ProblemAsync(await PatchAsync(outsider, "sample", id, new { duration = "P7D" }), HttpStatusCode.NotFound, "not-found");

        var listed = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray();
        Assert.Equal(JitGateApp.Start.AddHours(1), listed.Single(b => b!["id"]!.GetValue<long>() == id)!["expiresAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Another_projects_binding_is_not_found()
    {
        var billing = (await _admin.BindAsync("billing", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" }))["id"]!.GetValue<long>();

        // The sample owner is no member of billing, and billing's binding is not a binding of sample.
        await Api.ProblemAsync(await PatchAsync(_owner, "billing", billing, new { duration = "PT4H" }), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await PatchAsync(_owner, "sample", billing, new { duration = "PT4H" }), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await PatchAsync(_admin, "sample", billing, new { duration = "PT4H" }), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await PatchAsync(_admin, "sample", 999_999, new { duration = "PT4H" }), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task The_workspace_maximum_and_the_clock_bound_the_new_expiry()
    {
        var id = await GrantDevProdAsync(_owner);

        var tooLong = await Api.ProblemAsync(await PatchAsync(_owner, "sample", id, new { duration = "P31D" }), HttpStatusCode.BadRequest, "exceeds-maximum");
        Assert.Equal("P30D", tooLong["maxDuration"]!.GetValue<string>());
        await Api.ProblemAsync(await PatchAsync(_owner, "sample", id, new { expiresAt = JitGateApp.Start.AddDays(31) }), HttpStatusCode.BadRequest, "exceeds-maximum");
        await Api.ProblemAsync(await PatchAsync(_owner, "sample", id, new { expiresAt = JitGateApp.Start.AddMinutes(-1) }), HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await PatchAsync(_owner, "sample", id, new { expiresAt = JitGateApp.Start.AddHours(2), duration = "PT2H" }), HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await PatchAsync(_owner, "sample", id, new { }), HttpStatusCode.BadRequest, "validation");

        var listed = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray();
        Assert.Equal(JitGateApp.Start.AddHours(1), listed.Single(b => b!["id"]!.GetValue<long>() == id)!["expiresAt"]!.GetValue<DateTimeOffset>());
        Assert.Empty((await _admin.GetOkAsync("/api/v1/audit?action=binding.update")).AsArray());
    }
}
