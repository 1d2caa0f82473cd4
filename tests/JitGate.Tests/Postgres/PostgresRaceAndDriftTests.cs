using System.Net;
using System.Text.Json.Nodes;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;
using Npgsql;

namespace JitGate.Tests.Postgres;

/// <summary>
/// Callers racing on one engine role, and privileges that appear on a JitGate role behind its back:
/// one consistent result, never a 500, and the drift removed by the full pass.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRaceAndDriftTests(PostgresFixture pg) : IAsyncLifetime
{
    private readonly JitGateApp _app = new(settings: new() { ["JitGate:DriftCheckInterval"] = "00:00:10" });
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
            name = "Race PG " + Guid.NewGuid().ToString("n")[..6], engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        _database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<JsonNode> GrantAsync(string duration = "PT1H") => _admin.BindAsync("sample", new
    {
        principal = "user:dev@example.com", role = "sqlEditorUser", duration,
        scope = new { tables = new[] { "employee", "salary", "title" }.Select(t => new { database = _database, table = t }) },
    });

    private async Task ExecuteAsSuperuserAsync(string sql)
    {
        await using var connection = pg.Superuser();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsSuperuserAsync(string sql)
    {
        await using var connection = pg.Superuser();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Twenty_parallel_credential_calls_on_a_fresh_binding_all_succeed_and_every_password_logs_in()
    {
        await GrantAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var response = await _dev.PostAsync($"/api/v1/databases/{_database}/credentials", new { });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.OK, a.Body));
        foreach (var (_, body) in answers)
        {
            var credentials = JsonNode.Parse(body)!;
            var (exit, output) = pg.Psql(credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>(), "select count(*) from employee");
            Assert.True(exit == 0, output);
        }

        // Asked for explicitly, a new password replaces the old one.
        var first = JsonNode.Parse(answers[0].Body)!;
        var rotated = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { rotate = true }, HttpStatusCode.OK);
        Assert.NotEqual(first["password"]!.GetValue<string>(), rotated["password"]!.GetValue<string>());
        Assert.NotEqual(0, pg.Psql(first["username"]!.GetValue<string>(), first["password"]!.GetValue<string>(), "select 1").ExitCode);
        Assert.Equal(0, pg.Psql(rotated["username"]!.GetValue<string>(), rotated["password"]!.GetValue<string>(), "select 1").ExitCode);
    }

    [Fact]
    public async Task Queries_racing_the_expiry_job_are_refused_never_a_500()
    {
        for (var round = 0; round < 5; round++)
        {
            await GrantAsync("PT1H");
            Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from salary")).StatusCode);

            _app.Clock.Advance(TimeSpan.FromHours(1));
            // The reconcile job wakes on the same tick; these queries race it for the same role.
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _dev.QueryAsync(_database, "select count(*) from salary")));
            foreach (var answer in answers)
            {
                await Api.ProblemAsync(answer, HttpStatusCode.Forbidden, "access-denied");
            }
        }
    }

    [Fact]
    public async Task Parallel_grants_and_revokes_on_one_role_leave_it_matching_the_bindings()
    {
        var bindings = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H",
            scope = new { tables = new[] { new { database = _database, table = i % 2 == 0 ? "employee" : "salary" } } },
        })));
        await Task.WhenAll(bindings.Skip(2).Select(b => _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{b["id"]}")));

        // Bindings 0 (employee) and 1 (salary) remain.
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from employee")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _dev.QueryAsync(_database, "select count(*) from salary")).StatusCode);
        await Api.ProblemAsync(await _dev.QueryAsync(_database, "select count(*) from title"), HttpStatusCode.Forbidden, "access-denied");
    }

    [Fact]
    public async Task Privileges_granted_by_hand_are_removed_by_the_full_pass_and_recorded()
    {
        await GrantAsync();
        var credentials = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { }, HttpStatusCode.OK);
        var role = credentials["username"]!.GetValue<string>();
        // As the admin JitGate uses (so that it may take them back): a table and a sequence no binding gives.
        await using (var admin = new NpgsqlConnection(
            $"Host=127.0.0.1;Port={pg.Port};Username={PostgresFixture.AdminName};Password={PostgresFixture.AdminPassword};Database=hr_prod;Pooling=false"))
        {
            await admin.OpenAsync();
            await using var grant = new NpgsqlCommand($"GRANT SELECT ON department TO {role}", admin);
            await grant.ExecuteNonQueryAsync();
        }
        Assert.Equal(0, pg.Psql(role, credentials["password"]!.GetValue<string>(), "select count(*) from department").ExitCode);

        _app.Clock.Advance(TimeSpan.FromSeconds(11));
        await Eventually.HoldsAsync(_app.Clock, async () =>
            await CountAsSuperuserAsync($"select count(*) from information_schema.role_table_grants where grantee = '{role}' and table_name = 'department'") == 0);

        Assert.NotEqual(0, pg.Psql(role, credentials["password"]!.GetValue<string>(), "select count(*) from department").ExitCode);
        // The engine changes first and its record commits right after: wait for the record too.
        await Eventually.HoldsAsync(_app.Clock, async () => (await _admin.GetOkAsync("/api/v1/audit?action=engine.reconcile")).AsArray()
            .Any(r => r!["detail"]!["drift"]?.GetValue<bool>() == true
                && r["detail"]!["revoked"]!.AsArray().Any(x => x!.GetValue<string>().Contains("department", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_privilege_the_admin_cannot_revoke_still_lets_a_revoke_answer_and_end_access()
    {
        var binding = await GrantAsync();
        var credentials = await _dev.PostOkAsync($"/api/v1/databases/{_database}/credentials", new { }, HttpStatusCode.OK);
        var role = credentials["username"]!.GetValue<string>();
        // Granted by the superuser: JitGate's admin cannot take it back.
        await ExecuteAsSuperuserAsync($"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}");
        await ExecuteAsSuperuserAsync($"GRANT SELECT ON department TO {role}");

        var revoke = await _admin.Http.DeleteAsync($"/api/v1/projects/sample/bindings/{binding["id"]}");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.NotEqual(0, pg.Psql(role, credentials["password"]!.GetValue<string>(), "select count(*) from department").ExitCode);
        Assert.Equal(0, await CountAsSuperuserAsync($"select count(*) from pg_roles where rolname = '{role}' and rolcanlogin"));
        var failures = (await _admin.GetOkAsync("/api/v1/audit?action=engine.reconcile&outcome=failure")).AsArray();
        Assert.Contains(failures, r => r!["detail"]!["error"]!.GetValue<string>().Contains("department", StringComparison.Ordinal));
        await ExecuteAsSuperuserAsync($"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}");
        await ExecuteAsSuperuserAsync($"REVOKE SELECT ON department FROM {role}");
    }
}
