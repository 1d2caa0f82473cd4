using System.Net;
using System.Net.Http.Json;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Bindings;

/// <summary>Who may grant what, and where: checked against the loaded project, over HTTP.</summary>
public sealed class BindingPermissionTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        await _admin.PostOkAsync("/api/v1/projects", new { id = "billing", title = "Billing" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Only_admins_create_users()
    {
        var member = await _admin.CreateUserAsync(_app, "member@example.com");
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        foreach (var caller in new[] { member, dba })
        {
            var response = await caller.PostAsync("/api/v1/users", new { email = "x@example.com", name = "X", password = "password-123" });
            await Api.ProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        }
        var users = (await _admin.GetOkAsync("/api/v1/users")).AsArray();
        Assert.DoesNotContain(users, u => u!["email"]!.GetValue<string>() == "x@example.com");
    }

    [Fact]
    public async Task A_project_owner_binds_in_their_own_project_only()
    {
        var owner = await _admin.CreateUserAsync(_app, "owner@example.com");
        await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:owner@example.com", role = "projectOwner" });

        await owner.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" });

        // Billing exists, but the owner is not a member there: it looks absent.
        var elsewhere = await owner.PostAsync("/api/v1/projects/billing/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" });
        await Api.ProblemAsync(elsewhere, HttpStatusCode.NotFound, "not-found");
        var workspace = await owner.PostAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" });
        await Api.ProblemAsync(workspace, HttpStatusCode.Forbidden, "forbidden");
        // Only the admin who created Billing holds a role there.
        Assert.Equal(["user:admin@example.com"], (await _admin.GetOkAsync("/api/v1/projects/billing/bindings")).AsArray().Select(b => b!["principal"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_workspace_member_binds_nowhere_and_a_developer_cannot_grant_themselves()
    {
        var member = await _admin.CreateUserAsync(_app, "member@example.com");
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });

        await Api.ProblemAsync(await member.PostAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:member@example.com", role = "sqlEditorUser", duration = "PT1H" }), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await dev.PostAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H" }), HttpStatusCode.Forbidden, "forbidden");
        // The developer's own binding, beside the first admin's ownership of the sample, and nothing more.
        var bindings = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray();
        Assert.Equal(["user:admin@example.com", "user:dev@example.com"], bindings.Select(b => b!["principal"]!.GetValue<string>()).Order());

        // Nor may the developer revoke someone else's binding (their own they may give back).
        var other = await _admin.BindAsync("sample", new { principal = "user:member@example.com", role = "projectDeveloper" });
        await Api.ProblemAsync(await dev.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{other["id"]}"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Another_projects_objects_are_not_found()
    {
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("billing", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        Assert.Single((await dev.GetOkAsync("/api/v1/projects")).AsArray());
        Assert.Empty((await dev.GetOkAsync("/api/v1/databases")).AsArray());
        await Api.ProblemAsync(await dev.Http.GetAsync("/api/v1/projects/sample"), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await dev.Http.GetAsync("/api/v1/databases/hr_prod/tables"), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await dev.Http.GetAsync("/api/v1/projects/sample/bindings"), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await dev.QueryAsync("hr_prod", "select 1"), HttpStatusCode.NotFound, "not-found");

        // A binding id from the sample project is not reachable through billing's path.
        var sampleBinding = await _admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "projectOwner" });
        await Api.ProblemAsync(await _admin.Http.DeleteAsync($"/api/v1/projects/billing/bindings/{sampleBinding["id"]}"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_scope_may_only_name_the_projects_own_databases_and_real_tables()
    {
        await _admin.CreateUserAsync(_app, "dev@example.com");
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/billing/bindings",
            new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { "hr_prod" } } }),
            HttpStatusCode.BadRequest, "validation");
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { tables = new[] { new { database = "hr_prod", table = "nope" } } } }),
            HttpStatusCode.BadRequest, "validation");
        // Only the admin who created Billing holds a role there.
        Assert.Equal(["user:admin@example.com"], (await _admin.GetOkAsync("/api/v1/projects/billing/bindings")).AsArray().Select(b => b!["principal"]!.GetValue<string>()));
        Assert.Equal(["user:admin@example.com"], (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray().Select(b => b!["principal"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_group_binding_reaches_its_members()
    {
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.PostOkAsync("/api/v1/groups", new { email = "oncall@example.com", name = "On-call", members = new[] { "dev@example.com" } });
        await _admin.BindAsync("sample", new { principal = "group:oncall@example.com", role = "sqlEditorUser", duration = "PT2H", scope = new { databases = new[] { "hr_test" } } });
        Assert.Equal(HttpStatusCode.OK, (await dev.QueryAsync("hr_test", "select * from salary limit 1")).StatusCode);
        await Api.ProblemAsync(await dev.QueryAsync("hr_prod", "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");

        var groups = (await _admin.GetOkAsync("/api/v1/groups")).AsArray();
        var put = await _admin.Http.PutAsJsonAsync($"/api/v1/groups/{groups[0]!["id"]}/members", Array.Empty<string>());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await Api.ProblemAsync(await dev.QueryAsync("hr_test", "select * from salary limit 1"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task JitGates_own_metadata_store_cannot_be_registered_as_a_database()
    {
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        var metadata = Path.Combine(_app.DataDir, "jitgate.db");
        var link = Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n") + ".db");
        File.CreateSymbolicLink(link, metadata);
        foreach (var path in new[] { metadata, Path.Combine(_app.DataDir, "..", Path.GetFileName(_app.DataDir), "jitgate.db"), link })
        {
            var response = await dba.PostAsync("/api/v1/instances", new { name = "steal " + Guid.NewGuid().ToString("n")[..4], engine = "sqlite", environment = "test", path });
            await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        }
        Assert.DoesNotContain((await _admin.GetOkAsync("/api/v1/databases")).AsArray(), d => d!["name"]!.GetValue<string>() == "jitgate");
    }
}
