using System.Net;
using System.Net.Http.Json;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Requests;

/// <summary>What became of access: ended access reads as ended, with who ended it; an empty flow says it approves at once.</summary>
public sealed class EndedAccessTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.PostOkAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_revoked_grant_tells_who_revoked_it_and_when_on_the_binding_and_on_its_request()
    {
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_prod" } }, duration = "PT37H", reason = "incident 9" });
        var id = request["id"]!.GetValue<long>();
        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{id}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal("active", approved["access"]!["status"]!.GetValue<string>());
        var bindingId = approved["bindingId"]!.GetValue<long>();

        _app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{bindingId}")).StatusCode);

        var binding = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings?status=revoked")).AsArray().Single(b => b!["id"]!.GetValue<long>() == bindingId)!;
        Assert.Equal("admin@example.com", binding["revokedBy"]!.GetValue<string>());

        var after = await _dev.GetOkAsync($"/api/v1/access-requests/{id}");
        Assert.Equal("approved", after["status"]!.GetValue<string>());
        Assert.Equal("revoked", after["access"]!["status"]!.GetValue<string>());
        Assert.Equal("admin@example.com", after["access"]!["endedBy"]!.GetValue<string>());
        Assert.Equal(_app.Clock.GetUtcNow(), after["access"]!["until"]!.GetValue<DateTimeOffset>());
        var last = after["timeline"]!.AsArray().Last()!;
        Assert.Equal(("revoked", "admin@example.com"), (last["kind"]!.GetValue<string>(), last["actor"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Run_out_access_reads_as_expired_on_its_request()
    {
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "a look" });
        var id = request["id"]!.GetValue<long>();
        await _admin.PostOkAsync($"/api/v1/access-requests/{id}/approve", new { }, HttpStatusCode.OK);
        _app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        var after = await _dev.GetOkAsync($"/api/v1/access-requests/{id}");
        Assert.Equal("expired", after["access"]!["status"]!.GetValue<string>());
        Assert.Null(after["access"]!["endedBy"]);
    }

    [Fact]
    public async Task An_explicit_empty_flow_stays_valid_and_is_answered_as_auto_approve()
    {
        var put = await _admin.Http.PutAsJsonAsync("/api/v1/settings/approval-flows", new object[]
        {
            new { source = "requestRole", level = "low", steps = Array.Empty<string>() },
            new { source = "requestRole", level = "high", steps = new[] { "projectOwner" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var flows = (await _admin.GetOkAsync("/api/v1/settings/approval-flows")).AsArray();
        Assert.True(flows.Single(f => f!["level"]!.GetValue<string>() == "low")!["autoApprove"]!.GetValue<bool>());
        Assert.False(flows.Single(f => f!["level"]!.GetValue<string>() == "high")!["autoApprove"]!.GetValue<bool>());

        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "low risk" });
        Assert.Equal("approved", request["status"]!.GetValue<string>());
    }
}
