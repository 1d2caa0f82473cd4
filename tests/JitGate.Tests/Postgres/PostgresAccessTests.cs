using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Engines.Postgres;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;
using Npgsql;

namespace JitGate.Tests.Postgres;

/// <summary>A real PostgreSQL server managed through JitGate's HTTP API: registration, queries, native credentials, expiry and revoke.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAccessTests(PostgresFixture pg) : IAsyncLifetime
{
    private JitGateApp _app = new();
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
            name = "Prod PG " + Guid.NewGuid().ToString("n")[..6], engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        Assert.DoesNotContain(PostgresFixture.AdminPassword, instance.ToJsonString(), StringComparison.Ordinal);
        _database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<JsonNode> GrantAsync(string duration = "PT1H") => _admin.BindAsync("sample", new
    {
        principal = "user:dev@example.com", role = "sqlEditorUser", duration,
        scope = new { tables = new[] { "employee", "salary", "title" }.Select(t => new { database = _database, table = t }) },
    });

    private async Task<long> CountAsSuperuserAsync(string sql)
    {
        await using var connection = pg.Superuser();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task The_engine_enforces_the_grant_for_queries()
    {
        var tables = (await _dev.GetOkAsync($"/api/v1/databases/{_database}/tables")).AsArray();
        Assert.Contains(tables, t => t!["name"]!.GetValue<string>() == "current_dept_emp" && t["kind"]!.GetValue<string>() == "view");
        var before = await CountAsSuperuserAsync("select count(*) from salary");

        var denied = await Api.ProblemAsync(await _dev.QueryAsync(_database, "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");
        Assert.Equal(["salary"], Api.DeniedTables(denied));

        await GrantAsync();
        var join = await _dev.QueryAsync(_database, "select e.first_name, s.amount, t.title from employee e join salary s using (emp_no) join title t using (emp_no) limit 5");
        Assert.True(join.StatusCode == HttpStatusCode.OK, await join.Content.ReadAsStringAsync());
        foreach (var (sql, table) in new[] { ("select * from department", "department"), ("select * from dept_emp", "dept_emp"), ("select * from current_dept_emp", "current_dept_emp") })
        {
            var problem = await Api.ProblemAsync(await _dev.QueryAsync(_database, sql), HttpStatusCode.Forbidden, "access-denied");
            Assert.Equal([table], Api.DeniedTables(problem));
        }
        foreach (var sql in new[] { "delete from salary", "select 1; delete from salary", "COMMIT; DELETE FROM salary", "set role postgres", "select * from salary for update" })
        {
            var response = await _dev.QueryAsync(_database, sql);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal(before, await CountAsSuperuserAsync("select count(*) from salary"));
    }

    [Fact]
    public async Task Native_credentials_read_what_is_granted_and_a_revoke_ends_the_open_session()
    {
        await Api.ProblemAsync(await _dev.PostAsync($"/api/v1/databases/{_database}/credentials", new { }), HttpStatusCode.Forbidden, "access-denied");
        var binding = await GrantAsync();
        var credentials = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { }, HttpStatusCode.OK);
        var user = credentials["username"]!.GetValue<string>();
        var password = credentials["password"]!.GetValue<string>();
        Assert.Equal(pg.Port, credentials["port"]!.GetValue<int>());
        Assert.True(credentials["expiresAt"]!.GetValue<DateTimeOffset>() <= JitGateApp.Start.AddHours(1));

        var (ok, output) = pg.Psql(user, password, "select count(*) from salary");
        Assert.True(ok == 0, output);
        var (refused, refusal) = pg.Psql(user, password, "select * from department");
        Assert.NotEqual(0, refused);
        Assert.Contains("permission denied", refusal, StringComparison.Ordinal);

        await using var session = pg.LoginAs(user, password);
        await session.OpenAsync();
        await using (var probe = new NpgsqlCommand("select count(*) from employee", session)) await probe.ExecuteScalarAsync();

        // The revoke answers only once the role's sessions are gone, so the very next statement fails.
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{binding["id"]}")).StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var after = new NpgsqlCommand("select count(*) from employee", session);
            await after.ExecuteScalarAsync();
        });
        Assert.NotEqual(0, pg.Psql(user, password, "select count(*) from salary").ExitCode);
    }

    [Fact]
    public async Task Each_change_of_access_holds_from_the_next_query_in_both_directions()
    {
        await _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H",
            scope = new { tables = new[] { new { database = _database, table = "employee" } } },
        });
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from employee")).StatusCode);
            await Api.ProblemAsync(await _dev.QueryAsync(_database, "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");

            var salary = await _admin.BindAsync("sample", new
            {
                principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H",
                scope = new { tables = new[] { new { database = _database, table = "salary" } } },
            });
            Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from salary")).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{salary["id"]}")).StatusCode);
        }
        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from employee")).StatusCode);
    }

    [Fact]
    public async Task The_first_query_after_expiry_is_refused_without_waiting_for_the_reconciler()
    {
        await GrantAsync("PT1H");
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from salary")).StatusCode);

        _app.Clock.Advance(TimeSpan.FromHours(1));

        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select count(*) from salary"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task At_expiry_the_reconciler_revokes_and_disconnects_and_a_restart_revokes_overdue_grants_first()
    {
        await GrantAsync("PT1H");
        var credentials = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { }, HttpStatusCode.OK);
        var user = credentials["username"]!.GetValue<string>();
        var password = credentials["password"]!.GetValue<string>();
        await using var session = pg.LoginAs(user, password);
        await session.OpenAsync();

        _app.Clock.Advance(TimeSpan.FromHours(1));
        await Eventually.HoldsAsync(_app.Clock, async () =>
            await CountAsSuperuserAsync($"select count(*) from pg_stat_activity where usename = '{user}'") == 0);
        Assert.Equal(0, await CountAsSuperuserAsync($"select count(*) from information_schema.role_table_grants where grantee = '{user}'"));
        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select * from salary limit 1"), HttpStatusCode.Forbidden, "access-denied");

        // A grant that runs out while JitGate is down is revoked by the start-up pass.
        await GrantAsync("PT1H");
        var again = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { }, HttpStatusCode.OK);
        var role = again["username"]!.GetValue<string>();
        Assert.True(await CountAsSuperuserAsync($"select count(*) from information_schema.role_table_grants where grantee = '{role}'") > 0);
        var dataDir = _app.DataDir;
        var clock = _app.Clock;
        await _app.DisposeAsync();
        clock.Advance(TimeSpan.FromHours(2));
        _app = new JitGateApp(dataDir, clock);
        using var client = _app.CreateClient();
        await Eventually.HoldsAsync(clock, async () =>
            await CountAsSuperuserAsync($"select count(*) from information_schema.role_table_grants where grantee = '{role}'") == 0, maxTicks: 50);
    }

    [Fact]
    public async Task Native_logins_expiring_together_are_all_ended_when_they_take_several_engine_calls()
    {
        // Five credentials run out in the same second; ended two per engine call (JitGate__EngineEndBatchSize).
        await using var app = new JitGateApp(settings: new() { ["JitGate:EngineEndBatchSize"] = "2" });
        var admin = await Api.SignupAdminAsync(app);
        var instance = await admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Prod PG " + Guid.NewGuid().ToString("n")[..6], engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        var database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
        var sessions = new List<(string User, NpgsqlConnection Session)>();
        try
        {
            for (var i = 1; i <= 5; i++)
            {
                var email = $"oncall{i}@example.com";
                var user = await admin.CreateUserAsync(app, email);
                await admin.BindAsync("sample", new
                {
                    principal = $"user:{email}", role = "sqlEditorUser", duration = "PT1H",
                    scope = new { tables = new[] { new { database, table = "salary" } } },
                });
                var credentials = await user.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
                var session = pg.LoginAs(credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>());
                sessions.Add((credentials["username"]!.GetValue<string>(), session));
                await session.OpenAsync();
            }
            var names = string.Join(", ", sessions.Select(s => $"'{s.User}'"));
            Assert.Equal(5, await CountAsSuperuserAsync($"select count(*) from pg_stat_activity where usename in ({names})"));

            app.Clock.Advance(TimeSpan.FromHours(1));
            await Eventually.HoldsAsync(app.Clock, async () =>
                await CountAsSuperuserAsync($"select count(*) from pg_stat_activity where usename in ({names})") == 0
                && await CountAsSuperuserAsync($"select count(*) from information_schema.role_table_grants where grantee in ({names})") == 0);
            Assert.Equal(0, await CountAsSuperuserAsync($"select count(*) from pg_roles where rolname in ({names}) and rolcanlogin"));
            // Each role's end is recorded on its own, with the session it ended; the records commit just after the engine work.
            await Eventually.HoldsAsync(app.Clock, async () =>
            {
                var audit = (await admin.GetOkAsync("/api/v1/audit?action=engine.reconcile")).AsArray();
                return sessions.All(s => audit.Any(r => r!["resource"]!.GetValue<string>().EndsWith($"/roles/{s.User}", StringComparison.Ordinal)
                    && r["outcome"]!.GetValue<string>() == "success" && r["detail"]?["sessionsTerminated"]?.GetValue<int>() == 1));
            });
        }
        finally
        {
            foreach (var (_, session) in sessions) await session.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_holder_keeping_its_logins_lock_key_is_ended_at_the_revoke_and_the_audit_names_it()
    {
        // Advisory locks are open to every role, and JitGate's keys come from login names: the holder takes the
        // key JitGate's revoke waits for. The revoke still answers and ends the access; the audit says whose
        // session was ended to get there.
        var binding = await GrantAsync();
        var credentials = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { }, HttpStatusCode.OK);
        var login = credentials["username"]!.GetValue<string>();
        await using var holder = pg.LoginAs(login, credentials["password"]!.GetValue<string>());
        await holder.OpenAsync();
        int holderPid;
        await using (var grab = new NpgsqlCommand($"select pg_advisory_lock({PostgresRoleLock.LockClass}, hashtext('{login}')), pg_backend_pid()", holder))
        await using (var reader = await grab.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            holderPid = reader.GetInt32(1);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{binding["id"]}")).StatusCode);
        Assert.Equal(0, await CountAsSuperuserAsync($"select count(*) from pg_stat_activity where usename = '{login}'"));
        Assert.Equal(0, await CountAsSuperuserAsync($"select count(*) from information_schema.role_table_grants where grantee = '{login}'"));
        var ended = (await _admin.GetOkAsync("/api/v1/audit?action=engine.blockerEnd")).AsArray();
        var record = Assert.Single(ended, r => r!["detail"]!["login"]!.GetValue<string>() == login);
        Assert.Equal(holderPid, record!["detail"]!["processId"]!.GetValue<int>());
        Assert.Equal($"databases/{_database}/sessions/{holderPid}", record["resource"]!.GetValue<string>());
    }

    [Fact]
    public async Task Native_credentials_open_at_most_the_configured_number_of_sessions()
    {
        await using var app = new JitGateApp(settings: new() { ["JitGate:NativeLoginConnectionLimit"] = "2" });
        var admin = await Api.SignupAdminAsync(app);
        var instance = await admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Prod PG " + Guid.NewGuid().ToString("n")[..6], engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        var database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
        var user = await admin.CreateUserAsync(app, "holder@example.com");
        await admin.BindAsync("sample", new
        {
            principal = "user:holder@example.com", role = "sqlEditorUser", duration = "PT1H",
            scope = new { tables = new[] { new { database, table = "salary" } } },
        });
        var credentials = await user.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
        var name = credentials["username"]!.GetValue<string>();
        var password = credentials["password"]!.GetValue<string>();
        await using var first = pg.LoginAs(name, password);
        await using var second = pg.LoginAs(name, password);
        await first.OpenAsync();
        await second.OpenAsync();
        await using var third = pg.LoginAs(name, password);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => third.OpenAsync());
        Assert.Equal(PostgresErrorCodes.TooManyConnections, refused.SqlState);
        // The login's own limit, not the server's max_connections (the same SQLSTATE).
        Assert.Contains("too many connections for role", refused.MessageText, StringComparison.Ordinal);
        // The SQL editor's own login for the user (the same name without "_n"), whose password never leaves
        // JitGate, has no limit of its own: its sessions are JitGate's pool.
        await user.PostOkAsync("/api/v1/query", new { database, statement = "select count(*) from salary" }, HttpStatusCode.OK);
        Assert.EndsWith("_n", name, StringComparison.Ordinal);
        Assert.Equal(-1, await CountAsSuperuserAsync($"select rolconnlimit from pg_roles where rolname = '{name[..^2]}'"));
    }

    [Fact]
    public async Task Registering_with_a_wrong_password_is_a_clear_400_and_stores_nothing()
    {
        var response = await _admin.PostAsync("/api/v1/instances", new
        {
            name = "Broken", engine = "postgres", environment = "prod", host = "127.0.0.1", port = pg.Port,
            username = PostgresFixture.AdminName, password = "wrong-password",
        });
        await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "instance-check-failed");
        Assert.DoesNotContain((await _admin.GetOkAsync("/api/v1/databases")).AsArray(), d => d!["instance"]!.GetValue<string>() == "broken");
    }
}
