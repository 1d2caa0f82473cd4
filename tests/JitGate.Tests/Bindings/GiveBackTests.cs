using System.Net;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Bindings;

/// <summary>The holder of a binding gives it back (DELETE on their own binding); it ends as an admin's revoke does.</summary>
public sealed class GiveBackTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.CreateUserAsync(_app, "ops@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_holder_gives_their_access_back_and_the_audit_and_event_say_so()
    {
        var binding = await _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT4H", scope = new { databases = new[] { "hr_prod" } },
        });
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select count(*) from employee")).StatusCode);

        var response = await _dev.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{binding["id"]}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select count(*) from employee"), HttpStatusCode.Forbidden, "access-denied");
        var listed = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings?status=revoked")).AsArray();
        Assert.Contains(listed, b => b!["id"]!.GetValue<long>() == binding["id"]!.GetValue<long>());
        var audit = (await _admin.GetOkAsync("/api/v1/audit?actor=dev@example.com&action=binding.revoke")).AsArray();
        var record = Assert.Single(audit);
        Assert.Equal("success", record!["outcome"]!.GetValue<string>());
        Assert.True(record["detail"]!["byHolder"]!.GetValue<bool>());
        var events = (await _admin.GetOkAsync("/api/v1/events?event=accessRevoked")).AsArray();
        Assert.Equal("dev@example.com", Assert.Single(events)!["payload"]!["binding"]!["by"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_holder_ends_only_their_own_binding_not_a_colleagues_nor_their_groups()
    {
        var colleague = await _admin.BindAsync("sample", new
        {
            principal = "user:ops@example.com", role = "sqlEditorUser", duration = "PT4H", scope = new { databases = new[] { "hr_prod" } },
        });
        await _admin.PostOkAsync("/api/v1/groups", new { email = "oncall@example.com", name = "On-call", members = new[] { "dev@example.com" } });
        var viaGroup = await _admin.BindAsync("sample", new
        {
            principal = "group:oncall@example.com", role = "sqlEditorUser", duration = "PT4H", scope = new { databases = new[] { "hr_test" } },
        });

        foreach (var id in new[] { colleague["id"], viaGroup["id"] })
        {
            await Api.ProblemAsync(await _dev.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{id}"), HttpStatusCode.Forbidden, "forbidden");
        }
        // The colleague's, the group's and the developer's own bindings stand, beside the first admin's ownership of Sample Project.
        Assert.Equal(4, (await _admin.GetOkAsync("/api/v1/projects/sample/bindings?status=active")).AsArray().Count);
    }
}
