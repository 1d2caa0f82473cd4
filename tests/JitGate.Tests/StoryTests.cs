using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests;

/// <summary>Steps 1 to 3 of the user story, over HTTP, on a fresh data folder.</summary>
public class StoryTests : IAsyncLifetime
{
    private readonly JitGateApp _app;

    public StoryTests() : this(null) { }

    protected StoryTests(JitGateApp? app) => _app = app ?? new JitGateApp();
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
    public async Task Developer_sees_the_sample_databases_but_cannot_query_prod()
    {
        var databases = (await _dev.GetOkAsync("/api/v1/databases?project=sample")).AsArray();
        Assert.Equal(["hr_prod", "hr_test"], databases.Select(d => d!["name"]!.GetValue<string>()).Order());
        var prod = databases.Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!;
        Assert.Equal("prod", prod["environment"]!.GetValue<string>());
        Assert.Equal("sqlite", prod["engine"]!.GetValue<string>());

        var tables = (await _dev.GetOkAsync("/api/v1/databases/hr_prod/tables")).AsArray();
        Assert.Contains(tables, t => t!["name"]!.GetValue<string>() == "salary" && t["kind"]!.GetValue<string>() == "table");
        Assert.Contains(tables, t => t!["name"]!.GetValue<string>() == "current_dept_emp" && t["kind"]!.GetValue<string>() == "view");

        var problem = await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from employee limit 5"), HttpStatusCode.Forbidden, "access-denied");
        Assert.Equal(["employee"], Api.DeniedTables(problem));
        Assert.True(problem["requestable"]!.GetValue<bool>());
        Assert.Equal("/api/v1/projects/sample/access-requests", problem["accessRequest"]!["href"]!.GetValue<string>());
    }

    [Fact]
    public async Task Granted_tables_are_readable_and_everything_else_stays_closed()
    {
        await GrantThreeTablesAsync();
        var ok = await _dev.QueryAsync("hr_prod", """
            with recent as (select emp_no, max(from_date) as since from salary group by emp_no)
            select e.first_name, s.amount, t.title
            from employee e join salary s on s.emp_no = e.emp_no
            join recent r on r.emp_no = s.emp_no and r.since = s.from_date
            join title t on t.emp_no = e.emp_no
            where e.emp_no in (select emp_no from salary where amount > (select avg(amount) from salary))
            limit 20
            """);
        var body = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!;
        Assert.True(ok.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(["first_name", "amount", "title"], body["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.True(body["rowCount"]!.GetValue<int>() > 0);

        foreach (var (sql, denied) in new[]
        {
            ("select * from department", "department"),
            ("select * from dept_emp", "dept_emp"),
            ("select * from current_dept_emp", "dept_emp"),
            ("select e.* from employee e where exists (select 1 from dept_manager m where m.emp_no = e.emp_no)", "dept_manager"),
            ("with d as (select * from department) select * from employee, d", "department"),
            ("select (select count(*) from dept_emp) as n", "dept_emp"),
            ("select emp_no from employee union select emp_no from dept_emp", "dept_emp"),
        })
        {
            var problem = await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", sql), HttpStatusCode.Forbidden, "access-denied");
            Assert.Contains(denied, Api.DeniedTables(problem));
        }
    }

    [Fact]
    public async Task Writes_attach_pragmas_and_second_statements_are_refused_and_change_nothing()
    {
        await GrantThreeTablesAsync();
        var path = _app.SampleDatabasePath("hr_prod");
        var before = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path)));
        foreach (var sql in new[]
        {
            "delete from salary",
            "update salary set amount = 0",
            "insert into title (emp_no, title, from_date) values (10001, 'x', '2020-01-01')",
            "drop table salary",
            "create table stolen as select * from salary",
            "create temp table t(x)",
            $"attach database '{path}' as other",
            "pragma writable_schema = 1",
            "pragma query_only = 0",
            "begin immediate",
            "vacuum",
        })
        {
            var response = await _dev.QueryAsync("hr_prod", sql);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"{sql}: {(int)response.StatusCode}");
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Matches("(read-only|invalid-statement|access-denied)$", problem["type"]!.GetValue<string>());
        }
        foreach (var sql in new[] { "select 1; delete from salary", "select * from employee; select * from salary" })
        {
            await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", sql), HttpStatusCode.BadRequest, "invalid-statement");
        }
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path))));
        var count = JsonNode.Parse(await (await _dev.QueryAsync("hr_prod", "select count(*) as n from salary")).Content.ReadAsStringAsync())!;
        Assert.True(count["rows"]![0]![0]!.GetValue<long>() > 1000);
    }

    [Fact]
    public async Task Access_ends_at_expiry_and_on_revoke()
    {
        var binding = await GrantThreeTablesAsync();
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select * from salary limit 1")).StatusCode);

        _app.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select * from salary limit 1")).StatusCode);
        _app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");
        var listed = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray();
        Assert.Equal("expired", listed.Single(b => b!["id"]!.GetValue<long>() == binding["id"]!.GetValue<long>())!["status"]!.GetValue<string>());

        var second = await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D", scope = new { databases = new[] { "hr_prod" } } });
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select * from department")).StatusCode);
        var revoke = await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{second["id"]}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await Api.ProblemAsync(await _dev.QueryAsync("hr_prod", "select * from department"), HttpStatusCode.Forbidden, "access-denied");
        listed = (await _admin.GetOkAsync("/api/v1/projects/sample/bindings?status=revoked")).AsArray();
        Assert.Single(listed);
    }

    [Fact]
    public async Task A_binding_without_scope_covers_every_database_of_its_project_only()
    {
        await _admin.PostOkAsync("/api/v1/projects", new { id = "other", title = "Other" });
        var otherDb = Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n"), "other.db");
        Directory.CreateDirectory(Path.GetDirectoryName(otherDb)!);
        File.Copy(_app.SampleDatabasePath("hr_test"), otherDb);
        await _admin.PostOkAsync("/api/v1/instances", new { name = "Other SQLite", engine = "sqlite", environment = "test", project = "other", path = otherDb });

        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D" });
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_prod", "select * from department")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync("hr_test", "select * from dept_emp limit 3")).StatusCode);
        // dev is a projectDeveloper everywhere, so sees the other project's database, yet reads nothing there.
        await Api.ProblemAsync(await _dev.QueryAsync("other", "select * from department"), HttpStatusCode.Forbidden, "access-denied");
    }

    private Task<JsonNode> GrantThreeTablesAsync() => _admin.BindAsync("sample", new
    {
        principal = "user:dev@example.com",
        role = "sqlEditorUser",
        duration = "PT1H",
        reason = "incident 42",
        scope = new { tables = new[] { new { database = "hr_prod", table = "employee" }, new { database = "hr_prod", table = "salary" }, new { database = "hr_prod", table = "title" } } },
    });
}
