using System.Net;
using System.Net.Http.Json;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Identity;

public sealed class WorkspaceAdministrationTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync() => _admin = await Api.SignupAdminAsync(_app);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_admin_changes_roles_but_never_demotes_the_last_admin()
    {
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        var users = (await _admin.GetOkAsync("/api/v1/users")).AsArray();
        long Id(string email) => users.Single(u => u!["email"]!.GetValue<string>() == email)!["id"]!.GetValue<long>();

        await Api.ProblemAsync(await _admin.Http.PatchAsJsonAsync($"/api/v1/users/{Id("admin@example.com")}", new { workspaceRole = "workspaceMember" }),
            HttpStatusCode.Conflict, "conflict");
        await Api.ProblemAsync(await dev.Http.PatchAsJsonAsync($"/api/v1/users/{Id("dev@example.com")}", new { workspaceRole = "workspaceAdmin" }),
            HttpStatusCode.Forbidden, "forbidden");
        await Api.ProblemAsync(await _admin.Http.PatchAsJsonAsync($"/api/v1/users/{Id("dev@example.com")}", new { workspaceRole = "root" }),
            HttpStatusCode.BadRequest, "validation");

        var promoted = await _admin.Http.PatchAsJsonAsync($"/api/v1/users/{Id("dev@example.com")}", new { workspaceRole = "workspaceDba" });
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        // The new role holds on the developer's very next call.
        Assert.Equal("workspaceDba", (await dev.GetOkAsync("/api/v1/me"))["workspaceRole"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await dev.Http.GetAsync("/api/v1/audit")).StatusCode);
    }

    [Fact]
    public async Task The_workspace_maximum_bounds_grants_and_only_admins_change_it()
    {
        await _admin.CreateUserAsync(_app, "dev@example.com");
        var set = await _admin.Http.PutAsJsonAsync("/api/v1/settings/workspace", new { maxAccessDuration = "P1D" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("P1D", (await _admin.GetOkAsync("/api/v1/settings/workspace"))["maxAccessDuration"]!.GetValue<string>());

        var tooLong = await _admin.PostAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P2D" });
        var problem = await Api.ProblemAsync(tooLong, HttpStatusCode.BadRequest, "exceeds-maximum");
        Assert.Equal("P1D", problem["maxDuration"]!.GetValue<string>());
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D" });

        await Api.ProblemAsync(await _admin.Http.PutAsJsonAsync("/api/v1/settings/workspace", new { maxAccessDuration = "P10Y" }), HttpStatusCode.BadRequest, "validation");
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        await Api.ProblemAsync(await dba.Http.PutAsJsonAsync("/api/v1/settings/workspace", new { maxAccessDuration = "P90D" }), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("P1D", (await _admin.GetOkAsync("/api/v1/settings/workspace"))["maxAccessDuration"]!.GetValue<string>());
    }

    [Fact]
    public async Task Native_credentials_are_for_postgres_databases_only()
    {
        await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "PT1H" });
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/databases/hr_prod/credentials", new { }), HttpStatusCode.BadRequest, "engine-not-supported");
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/databases/nope/credentials", new { }), HttpStatusCode.NotFound, "not-found");
    }
}
