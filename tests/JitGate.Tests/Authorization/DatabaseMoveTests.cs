using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Authorization;

/// <summary>
/// A database moved to another project: the old project's bindings and pending requests that name it
/// stop granting it, and the move's audit record says which.
/// </summary>
public sealed class DatabaseMoveTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new(settings: new() { ["JitGate:SampleEmployees"] = "50" });
    private Api _admin = null!;
    private Api _dev = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        await _admin.PostOkAsync("/api/v1/projects", new { id = "billing", title = "Billing" });
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonNode> MoveAsync(string database, string project)
    {
        var response = await _admin.Http.PatchAsJsonAsync($"/api/v1/databases/{database}", new { project });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private async Task<JsonNode> LastMoveRecordAsync() =>
        (await _admin.GetOkAsync("/api/v1/audit?action=database.update")).AsArray()[0]!["detail"]!;

    private static List<long> Ids(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<long>()).ToList();

    [Fact]
    public async Task The_old_projects_bindings_that_name_it_stop_granting_it_and_stay_listed()
    {
        var analyst = await _admin.CreateUserAsync(_app, "analyst@example.com");
        var accountant = await _admin.CreateUserAsync(_app, "accountant@example.com");
        var whole = await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT8H", scope = new { databases = new[] { "hr_prod" } } });
        var oneTable = await _admin.BindAsync("sample", new
        {
            principal = "user:analyst@example.com", role = "sqlEditorUser", duration = "PT8H",
            scope = new { tables = new[] { new { database = "hr_prod", table = "salary" } } },
        });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT8H", scope = new { databases = new[] { "hr_test" } } });
        await _admin.BindAsync("billing", new { principal = "user:accountant@example.com", role = "sqlEditorUser", duration = "PT8H" });
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select count(*) from employee")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await analyst.QueryAsync("hr_prod", "select count(*) from salary")).StatusCode);
        await Api.ProblemAsync(await accountant.QueryAsync("hr_prod", "select count(*) from salary"), HttpStatusCode.NotFound, "not-found");

        Assert.Equal("billing", (await MoveAsync("hr_prod", "billing"))["project"]!.GetValue<string>());

        // Neither is a member of billing: the database is out of their sight, not merely denied.
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select count(*) from employee"), HttpStatusCode.NotFound, "not-found");
        await Api.ProblemAsync(await analyst.QueryAsync("hr_prod", "select count(*) from salary"), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_test", "select count(*) from employee")).StatusCode);
        // billing's own grant reaches every database billing holds, hr_prod now included.
        Assert.Equal(HttpStatusCode.OK, (await accountant.QueryAsync("hr_prod", "select count(*) from salary")).StatusCode);

        var listed = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray();
        foreach (var binding in new[] { whole, oneTable })
        {
            var shown = listed.Single(b => b!["id"]!.GetValue<long>() == binding["id"]!.GetValue<long>())!;
            Assert.Equal("active", shown["status"]!.GetValue<string>());
            Assert.Contains("hr_prod", shown["scope"]!.ToJsonString(), StringComparison.Ordinal);
        }

        var record = await LastMoveRecordAsync();
        Assert.Equal("sample", record["before"]!["project"]!.GetValue<string>());
        Assert.Equal("billing", record["after"]!["project"]!.GetValue<string>());
        Assert.Equal([whole["id"]!.GetValue<long>(), oneTable["id"]!.GetValue<long>()], Ids(record["affectedBindings"]));
        Assert.Empty(Ids(record["canceledRequests"]));

        // sample can no longer name it in a grant.
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { "hr_prod" } } }),
            HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task The_old_projects_pending_requests_that_name_it_are_canceled_saying_why()
    {
        var owner = await _admin.CreateUserAsync(_app, "owner@example.com");
        await _admin.BindAsync("sample", new { principal = "user:owner@example.com", role = "projectOwner" });
        async Task<long> AskAsync(object? scope) => (await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope, duration = "PT1H", reason = "payroll" }))["id"]!.GetValue<long>();
        var wholeDatabase = await AskAsync(new { databases = new[] { "hr_prod" } });
        var oneTable = await AskAsync(new { tables = new[] { new { database = "hr_prod", table = "salary" } } });
        var otherDatabase = await AskAsync(new { databases = new[] { "hr_test" } });
        var wholeProject = await AskAsync(null);

        // Naming the project it is already in moves nothing.
        await MoveAsync("hr_prod", "sample");
        Assert.Empty(Ids((await LastMoveRecordAsync())["canceledRequests"]));
        Assert.Equal("pendingApproval", (await _dev.GetOkAsync($"/api/v1/access-requests/{wholeDatabase}"))["status"]!.GetValue<string>());

        await MoveAsync("hr_prod", "billing");

        foreach (var id in new[] { wholeDatabase, oneTable })
        {
            var request = await _dev.GetOkAsync($"/api/v1/access-requests/{id}");
            Assert.Equal("canceled", request["status"]!.GetValue<string>());
            Assert.All(request["approvalSteps"]!.AsArray(), s => Assert.Equal("skipped", s!["status"]!.GetValue<string>()));
            var last = request["timeline"]!.AsArray()[^1]!;
            Assert.Equal("canceled", last["kind"]!.GetValue<string>());
            Assert.Null(last["actor"]);
            Assert.Contains("moved from project 'sample' to project 'billing'", last["comment"]!.GetValue<string>(), StringComparison.Ordinal);
            // An approval that comes late finds nothing left to decide.
            await Api.ProblemAsync(await owner.PostAsync($"/api/v1/access-requests/{id}/approve", new { }), HttpStatusCode.Conflict, "conflict");
        }
        foreach (var id in new[] { otherDatabase, wholeProject })
        {
            Assert.Equal("pendingApproval", (await _dev.GetOkAsync($"/api/v1/access-requests/{id}"))["status"]!.GetValue<string>());
        }

        var record = await LastMoveRecordAsync();
        Assert.Equal([wholeDatabase, oneTable], Ids(record["canceledRequests"]));
        var cancels = (await _admin.GetOkAsync("/api/v1/audit?action=request.cancel")).AsArray();
        Assert.Equal([oneTable, wholeDatabase], cancels.Select(c => c!["detail"]!["requestId"]!.GetValue<long>()));
        Assert.All(cancels, c => Assert.Equal("system", c!["actor"]!.GetValue<string>()));
        var events = (await _admin.GetOkAsync("/api/v1/events?event=requestCanceled")).AsArray();
        Assert.Equal([wholeDatabase, oneTable], events.Select(e => e!["payload"]!["request"]!["id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Moving_it_out_of_every_project_cancels_as_well_and_moving_it_back_revives_nothing()
    {
        var request = (await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = new { databases = new[] { "hr_prod" } }, duration = "PT1H", reason = "payroll" }))["id"]!.GetValue<long>();

        Assert.Null((await MoveAsync("hr_prod", ""))["project"]);
        Assert.Equal([request], Ids((await LastMoveRecordAsync())["canceledRequests"]));
        await Api.ProblemAsync(await _dev.Http.GetAsync("/api/v1/databases/hr_prod"), HttpStatusCode.NotFound, "not-found");

        await MoveAsync("hr_prod", "sample");
        Assert.Equal("canceled", (await _dev.GetOkAsync($"/api/v1/access-requests/{request}"))["status"]!.GetValue<string>());
        Assert.Empty(Ids((await LastMoveRecordAsync())["canceledRequests"]));
    }
}
