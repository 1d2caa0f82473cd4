using System.Net;
using System.Text.Json.Nodes;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Postgres;

/// <summary>What PUBLIC exposes is reported with its fix; what a granted table needs to be dumped comes with it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPublicExposureTests(PostgresFixture pg) : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private readonly string _exposed = "exposure_" + Guid.NewGuid().ToString("n")[..8];
    private Api _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await Api.SignupAdminAsync(_app);
        await pg.ExecuteAsSuperuserAsync("postgres", $"CREATE DATABASE {_exposed}");
        await pg.ExecuteAsSuperuserAsync(_exposed,
            "CREATE TABLE secret (amount int)",
            "INSERT INTO secret VALUES (1), (2), (3)",
            "CREATE TABLE notes (body text)",
            "GRANT SELECT ON notes TO PUBLIC",
            "CREATE TABLE people (name text, pay int)",
            "GRANT SELECT (name) ON people TO PUBLIC",
            "CREATE FUNCTION secret_total() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'select sum(amount) from secret'",
            "CREATE FUNCTION harmless() RETURNS int LANGUAGE sql AS 'select 1'");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await pg.ExecuteAsSuperuserAsync("postgres", $"DROP DATABASE {_exposed} WITH (FORCE)");
    }

    private static List<JsonNode> Of(JsonNode warnings, string database) =>
        warnings.AsArray().Where(w => w!["database"]!.GetValue<string>().EndsWith(database, StringComparison.Ordinal)).Select(w => w!).ToList();

    [Fact]
    public async Task Registration_lists_what_public_reaches_with_the_sql_that_closes_it_and_a_sync_renews_it()
    {
        var instance = await _admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Exposed " + _exposed, engine = "postgres", environment = "prod",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });

        var warnings = Of(instance["warnings"]!, _exposed);
        Assert.Equal(
            ["publicDefinerFunction public.secret_total()", "publicRead public.notes", "publicRead public.people.name"],
            warnings.Select(w => $"{w["kind"]} {w["object"]}").Order());
        Assert.Contains(warnings, w => w["fix"]!.GetValue<string>() == "REVOKE EXECUTE ON FUNCTION public.secret_total() FROM PUBLIC;");
        Assert.Contains(warnings, w => w["fix"]!.GetValue<string>() == "REVOKE SELECT ON TABLE \"public\".\"notes\" FROM PUBLIC;");
        Assert.Contains(warnings, w => w["fix"]!.GetValue<string>() == "REVOKE SELECT (\"name\") ON TABLE \"public\".\"people\" FROM PUBLIC;");
        var id = instance["id"]!.GetValue<string>();
        Assert.Equal(3, Of(await _admin.GetOkAsync($"/api/v1/instances/{id}/warnings"), _exposed).Count);

        // Each fix closes what it names; the next sync says so.
        foreach (var warning in warnings) await pg.ExecuteAsSuperuserAsync(_exposed, warning["fix"]!.GetValue<string>());
        var synced = await _admin.PostOkAsync($"/api/v1/instances/{id}/sync", new { }, HttpStatusCode.OK);
        Assert.Empty(Of(synced["warnings"]!, _exposed));
        Assert.Empty(Of(await _admin.GetOkAsync($"/api/v1/instances/{id}/warnings"), _exposed));
    }

    [Fact]
    public async Task Only_admins_and_dbas_see_instance_warnings()
    {
        var instance = await _admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Exposed2 " + _exposed, engine = "postgres", environment = "prod",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        var member = await _admin.CreateUserAsync(_app, "member@example.com");
        await Api.ProblemAsync(await member.Http.GetAsync($"/api/v1/instances/{instance["id"]}/warnings"), HttpStatusCode.Forbidden, "forbidden");
        await Api.ProblemAsync(await member.PostAsync($"/api/v1/instances/{instance["id"]}/sync", new { }), HttpStatusCode.Forbidden, "forbidden");
        await Api.ProblemAsync(await _admin.Http.GetAsync("/api/v1/instances/no-such/warnings"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Pg_dump_of_a_granted_table_works_with_native_credentials()
    {
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        var instance = await _admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Dump " + _exposed, engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        var database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
        await _admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H",
            scope = new { tables = new[] { new { database, table = "employee" } } },
        });
        var credentials = await dev.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
        var user = credentials["username"]!.GetValue<string>();
        var password = credentials["password"]!.GetValue<string>();

        var (exit, output) = pg.Client("pg_dump", user, password, "-t", "employee", "--data-only", "--no-owner");

        Assert.True(exit == 0, output);
        Assert.Contains("COPY public.employee", output, StringComparison.Ordinal);
        Assert.Contains("employee_emp_no_seq", output, StringComparison.Ordinal);
        // The sequence came with the table; nothing else did.
        var (refused, message) = pg.Client("pg_dump", user, password, "-t", "salary", "--data-only");
        Assert.NotEqual(0, refused);
        Assert.Contains("permission denied", message, StringComparison.Ordinal);
    }
}
