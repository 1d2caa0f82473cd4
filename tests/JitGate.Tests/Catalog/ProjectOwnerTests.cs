using System.Net;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Catalog;

/// <summary>Whoever creates a project owns it, so the default approval step (one Project Owner) has an approver from the start.</summary>
public sealed class ProjectOwnerTests : IAsyncLifetime
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

    private static List<(string Principal, string Role)> Roles(JsonNode bindings) =>
        bindings.AsArray().Select(b => (b!["principal"]!.GetValue<string>(), b["role"]!.GetValue<string>())).ToList();

    [Fact]
    public async Task The_first_admin_owns_the_sample_and_approves_a_request_without_granting_themselves_anything()
    {
        Assert.Contains(("user:admin@example.com", "projectOwner"), Roles(await _admin.GetOkAsync("/api/v1/projects/sample/bindings")));

        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "incident 7" });
        Assert.Equal("projectOwner", request["approvalSteps"]![0]!["role"]!.GetValue<string>());
        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select count(*) from department")).StatusCode);
    }

    [Fact]
    public async Task A_new_project_is_owned_by_its_creator_and_only_by_them()
    {
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        await dba.PostOkAsync("/api/v1/projects", new { id = "payments", title = "Payments" });

        Assert.Equal([("user:dba@example.com", "projectOwner")], Roles(await _admin.GetOkAsync("/api/v1/projects/payments/bindings")));
        // The sample keeps its one owner: creating a project hands out nothing elsewhere.
        Assert.Equal([("user:admin@example.com", "projectOwner")], Roles(await _admin.GetOkAsync("/api/v1/projects/sample/bindings")));
    }
}
