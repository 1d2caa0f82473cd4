using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using JitGate.Engines.Tests.MySql;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.MySql;

/// <summary>
/// A real MariaDB server managed through JitGate's HTTP API (<c>engine: "mysql"</c>): registration,
/// the user story's grant and request steps, the server's own refusals, native credentials for the
/// <c>mariadb</c> client, revoke and expiry ending open sessions, and drift removed by the full pass.
/// </summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbAccessTests(MariaDbFixture db) : IAsyncLifetime
{
    private JitGateApp _app = new(settings: new() { ["JitGate:DriftCheckInterval"] = "00:00:10" });
    private Api _admin = null!;
    private Api _dev = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        _dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        var instance = await _admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Prod MariaDB " + Guid.NewGuid().ToString("n")[..6], engine = "mysql", environment = "prod", project = "sample",
            host = "127.0.0.1", port = db.Port, username = MariaDbFixture.AdminName, password = MariaDbFixture.AdminPassword,
        });
        Assert.DoesNotContain(MariaDbFixture.AdminPassword, instance.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("mysql", instance["engine"]!.GetValue<string>());
        // The databases the admin may hand out; payroll (no grant option) and the server's own are not offered.
        Assert.Equal(["hr_prod", "hr_test"], instance["databases"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()).Order());
        _database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly string[] ThreeTables = ["employee", "salary", "title"];

    private object ThreeTablesScope => new { tables = ThreeTables.Select(t => new { database = _database, table = t }) };

    private Task<JsonNode> GrantAsync(string duration = "PT1H") =>
        _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration, scope = ThreeTablesScope });

    private async Task<(string User, string Password)> CredentialsAsync()
    {
        var credentials = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { }, HttpStatusCode.OK);
        Assert.Equal("mysql", credentials["engine"]!.GetValue<string>());
        Assert.Equal(db.Port, credentials["port"]!.GetValue<int>());
        Assert.Equal("hr_prod", credentials["database"]!.GetValue<string>());
        return (credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>());
    }

    private Task<long> GrantRowsOfAsync(string account) =>
        db.ScalarAsRootAsync<long>($"SELECT (SELECT COUNT(*) FROM mysql.tables_priv WHERE User = '{account}') + (SELECT COUNT(*) FROM mysql.db WHERE User = '{account}')");

    [Fact]
    public async Task Registration_syncs_tables_and_views_with_the_database_as_schema()
    {
        var tables = (await _dev.GetOkAsync($"/api/v1/databases/{_database}/tables")).AsArray();
        Assert.Contains(tables, t => t!["name"]!.GetValue<string>() == "salary" && t["kind"]!.GetValue<string>() == "table" && t["schema"]!.GetValue<string>() == "hr_prod");
        Assert.Contains(tables, t => t!["name"]!.GetValue<string>() == "current_dept_emp" && t["kind"]!.GetValue<string>() == "view");
        var database = (await _dev.GetOkAsync("/api/v1/databases")).AsArray().Single(d => d!["id"]!.GetValue<string>() == _database)!;
        Assert.Equal("mysql", database["engine"]!.GetValue<string>());
    }

    [Fact]
    public async Task Story_steps_3_and_4_grant_with_expiry_then_request_approve_query_three_tables_and_refused_on_department()
    {
        // Step 3: a grant with an expiry, enforced by the server's GRANT SELECT on exactly three tables.
        await GrantAsync("PT1H");
        var join = await _dev.QueryAsync(_database, """
            with recent as (select emp_no, max(from_date) as since from salary group by emp_no)
            select e.first_name, s.amount, t.title
            from employee e join salary s on s.emp_no = e.emp_no
            join recent r on r.emp_no = s.emp_no and r.since = s.from_date
            join title t on t.emp_no = e.emp_no
            limit 20
            """);
        var body = JsonNode.Parse(await join.Content.ReadAsStringAsync())!;
        Assert.True(join.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(["first_name", "amount", "title"], body["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.True(body["rowCount"]!.GetValue<int>() > 0);
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");

        // Step 4: request, approve, query three tables, refused on department with the request prefilled.
        var request = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "sqlEditorUser", scope = ThreeTablesScope, duration = "PT2H", reason = "incident 42" });
        Assert.Equal("pendingApproval", request["status"]!.GetValue<string>());
        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
        var approved = await _admin.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal("approved", approved["status"]!.GetValue<string>());
        foreach (var table in ThreeTables)
        {
            var response = await _dev.QueryAsync(_database, $"select count(*) from {table}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{table}: {await response.Content.ReadAsStringAsync()}");
        }

        var problem = await Api.ProblemAsync(await _dev.QueryAsync(_database, "select * from department"), HttpStatusCode.Forbidden, "access-denied");
        Assert.Equal(["department"], Api.DeniedTables(problem));
        Assert.Equal("hr_prod", problem["deniedResources"]![0]!["schema"]!.GetValue<string>());
        Assert.True(problem["requestable"]!.GetValue<bool>());
        var prefilled = problem["accessRequest"]!["body"]!["scope"]!["tables"]![0]!;
        Assert.Equal(_database, prefilled["database"]!.GetValue<string>());
        Assert.Equal("department", prefilled["table"]!.GetValue<string>());
        // The prefilled request is one a person can send as it is.
        var resend = JsonNode.Parse(problem["accessRequest"]!["body"]!.ToJsonString())!.AsObject();
        resend["reason"] = "needs departments";
        var next = await _dev.PostOkAsync("/api/v1/projects/sample/access-requests", resend);
        Assert.Equal("pendingApproval", next["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_server_refuses_every_table_not_granted_and_every_write_and_nothing_changes()
    {
        var before = await db.ScalarAsRootAsync<string>("SELECT CONCAT(COUNT(*), '/', SUM(amount)) FROM hr_prod.salary");
        await GrantAsync();
        foreach (var (sql, table) in new[]
        {
            ("select * from department", "department"),
            ("select * from dept_emp", "dept_emp"),
            ("select * from current_dept_emp", "current_dept_emp"),
            ("select e.first_name from employee e join dept_emp d using (emp_no)", "dept_emp"),
            ("select * from employee where emp_no in (select emp_no from dept_manager)", "dept_manager"),
            ("with d as (select * from department) select * from d", "department"),
            ("show create table department", "department"),
        })
        {
            var problem = await Api.ProblemAsync(await _dev.QueryAsync(_database, sql), HttpStatusCode.Forbidden, "access-denied");
            Assert.True(Api.DeniedTables(problem).SequenceEqual([table]), $"{sql}: {problem.ToJsonString()}");
        }

        foreach (var sql in new[]
        {
            "delete from salary", "update salary set amount = 0", "select 1; delete from salary", "select * from salary into outfile '/tmp/jitgate-app-outfile'",
            "set statement max_statement_time=0 for delete from salary", "lock tables salary read", "create temporary table t (a int)",
            "select * from salary where emp_no = 10001 for update", "call purge_salary()", "select hr_prod.department_count()",
        })
        {
            var response = await _dev.QueryAsync(_database, sql);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{sql}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Matches("(read-only|invalid-statement)$", problem["type"]!.GetValue<string>());
        }

        Assert.Equal(before, await db.ScalarAsRootAsync<string>("SELECT CONCAT(COUNT(*), '/', SUM(amount)) FROM hr_prod.salary"));
        Assert.False(File.Exists("/tmp/jitgate-app-outfile"));
    }

    [Fact]
    public async Task Grant_query_allowed_table_denied_table_then_revoke_kills_the_open_client_session()
    {
        await Api.ProblemAsync(await _dev.PostAsync($"/api/v1/databases/{_database}/credentials", new { }), HttpStatusCode.Forbidden, "access-denied");
        var binding = await GrantAsync();
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from salary")).StatusCode);
        var denied = await Api.ProblemAsync(await _dev.QueryAsync(_database, "select * from department"), HttpStatusCode.Forbidden, "access-denied");
        Assert.Equal(["department"], Api.DeniedTables(denied));

        var (user, password) = await CredentialsAsync();
        var (ok, output) = db.Client(user, password, "select count(*) from salary");
        Assert.True(ok == 0, output);
        var (refused, refusal) = db.Client(user, password, "select * from department");
        Assert.NotEqual(0, refused);
        Assert.Contains("command denied", refusal, StringComparison.Ordinal);

        using var client = db.OpenClient(user, password);
        Assert.Contains("OPEN", await client.SendAsync("select 'OPEN' from employee limit 1;"), StringComparison.Ordinal);
        Assert.True(await db.SessionsOfAsync(user) >= 1);

        // The revoke answers only once the account is locked and its sessions are gone.
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{binding["id"]}")).StatusCode);
        Assert.Equal(0L, await db.SessionsOfAsync(user));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the revoke took {clock.Elapsed}");

        var after = await client.SendAsync("select concat('STI', 'LL') from employee limit 1;");
        Assert.DoesNotContain("STILL", after, StringComparison.Ordinal);
        Assert.Contains("ERROR", after, StringComparison.Ordinal);
        Assert.NotEqual(0, db.Client(user, password, "select count(*) from salary").ExitCode);
        Assert.Equal(0L, await GrantRowsOfAsync(user));
        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task At_expiry_open_sessions_end_within_2_s_and_a_restart_ends_overdue_accounts_first()
    {
        await GrantAsync("PT1H");
        var (user, password) = await CredentialsAsync();
        using var client = db.OpenClient(user, password);
        Assert.Contains("OPEN", await client.SendAsync("select 'OPEN' from employee limit 1;"), StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        _app.Clock.Advance(TimeSpan.FromHours(1));
        await Eventually.HoldsAsync(_app.Clock, async () => await db.SessionsOfAsync(user) == 0);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the session outlived the expiry by {clock.Elapsed}");
        Assert.Contains("ERROR", await client.SendAsync("select concat('STI', 'LL') from employee limit 1;"), StringComparison.Ordinal);
        Assert.Equal(0L, await GrantRowsOfAsync(user));
        Assert.NotEqual(0, db.Client(user, password, "select 1").ExitCode);
        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");

        // A grant that runs out while JitGate is down is ended by the start-up pass.
        await GrantAsync("PT1H");
        var (again, _) = await CredentialsAsync();
        Assert.True(await GrantRowsOfAsync(again) > 0);
        var dataDir = _app.DataDir;
        var fake = _app.Clock;
        await _app.DisposeAsync();
        fake.Advance(TimeSpan.FromHours(2));
        _app = new JitGateApp(dataDir, fake, new() { ["JitGate:DriftCheckInterval"] = "00:00:10" });
        using var http = _app.CreateClient();
        await Eventually.HoldsAsync(fake, async () => await GrantRowsOfAsync(again) == 0, maxTicks: 50);
    }

    [Fact]
    public async Task Privileges_granted_by_hand_are_removed_by_the_full_pass_and_recorded()
    {
        await GrantAsync();
        var (user, password) = await CredentialsAsync();
        await db.ExecuteAsRootAsync($"GRANT SELECT ON hr_prod.department TO '{user}'@'%'", $"GRANT INSERT ON hr_prod.salary TO '{user}'@'%'");
        Assert.Equal(2L, await db.ScalarAsRootAsync<long>(
            $"SELECT COUNT(*) FROM mysql.tables_priv WHERE User = '{user}' AND (Table_name = 'department' OR FIND_IN_SET('Insert', Table_priv))"));
        var (read, output) = db.Client(user, password, "select count(*) from department");
        Assert.True(read == 0, output);

        _app.Clock.Advance(TimeSpan.FromSeconds(11));
        await Eventually.HoldsAsync(_app.Clock, async () =>
            await db.ScalarAsRootAsync<long>($"SELECT COUNT(*) FROM mysql.tables_priv WHERE User = '{user}' AND (Table_name = 'department' OR FIND_IN_SET('Insert', Table_priv))") == 0);

        Assert.NotEqual(0, db.Client(user, password, "select count(*) from department").ExitCode);
        // The engine changes first and its record commits once the pass is over: wait for the record before
        // reading what was granted. Mid-pass the account may hold less (REVOKE ALL, then the grants given back)
        // and a session may be ended by the pass's last step.
        await Eventually.HoldsAsync(_app.Clock, async () => (await _admin.GetOkAsync("/api/v1/audit?action=engine.reconcile")).AsArray()
            .Any(r => r!["detail"]!["drift"]?.GetValue<bool>() == true
                && r["detail"]!["revoked"]!.AsArray().Any(x => x!.GetValue<string>().Contains("department", StringComparison.Ordinal))));
        var (granted, said) = db.Client(user, password, "select count(*) from salary");
        Assert.True(granted == 0, said);
        Assert.NotEqual(0, db.Client(user, password, "select count(*) from department").ExitCode);
    }

    [Fact]
    public async Task An_admin_login_without_the_needed_privileges_is_a_400_that_lists_what_is_missing()
    {
        await db.ExecuteAsRootAsync("CREATE USER IF NOT EXISTS 'half_admin'@'%' IDENTIFIED BY 'halfPass1'", "GRANT CREATE USER ON *.* TO 'half_admin'@'%'");
        var response = await _admin.PostAsync("/api/v1/instances", new
        {
            name = "Half", engine = "mysql", environment = "prod", host = "127.0.0.1", port = db.Port, username = "half_admin", password = "halfPass1",
        });
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "instance-check-failed");
        var text = problem.ToJsonString();
        Assert.Contains("PROCESS", text, StringComparison.Ordinal);
        Assert.Contains("CONNECTION ADMIN", text, StringComparison.Ordinal);
        Assert.Contains("GRANT OPTION", text, StringComparison.Ordinal);
        Assert.DoesNotContain("halfPass1", text, StringComparison.Ordinal);

        var wrong = await _admin.PostAsync("/api/v1/instances", new
        {
            name = "Wrong", engine = "mysql", environment = "prod", host = "127.0.0.1", port = db.Port, username = MariaDbFixture.AdminName, password = "wrong-password",
        });
        await Api.ProblemAsync(wrong, HttpStatusCode.BadRequest, "instance-check-failed");
        Assert.DoesNotContain((await _admin.GetOkAsync("/api/v1/databases")).AsArray(), d => d!["instance"]!.GetValue<string>() is "half" or "wrong");
    }
}
