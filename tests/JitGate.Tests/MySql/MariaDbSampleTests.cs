using System.Net;
using JitGate.Engines.Tests.MySql;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.MySql;

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbSampleTests(MariaDbFixture db)
{
    [Fact]
    public async Task The_sample_can_also_be_made_on_a_configured_mariadb_server()
    {
        var prefix = "s" + Guid.NewGuid().ToString("n")[..6] + "_";
        // JitGate__SampleMySql: a login that may create databases (here the server's root).
        var login = $"Server=127.0.0.1;Port={db.Port};User ID=root;Password=";
        await using var app = new JitGateApp(settings: new() { ["JitGate:SampleMySql"] = login, ["JitGate:SampleMySqlPrefix"] = prefix });
        var admin = await Api.SignupAdminAsync(app);
        var dev = await admin.CreateUserAsync(app, "dev@example.com");
        await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });

        var databases = (await dev.GetOkAsync("/api/v1/databases?project=sample")).AsArray();
        var prod = databases.Single(d => d!["name"]!.GetValue<string>() == prefix + "hr_prod")!;
        Assert.Equal("mysql", prod["engine"]!.GetValue<string>());
        Assert.Equal("prod", prod["environment"]!.GetValue<string>());
        Assert.Contains(databases, d => d!["name"]!.GetValue<string>() == prefix + "hr_test");
        var id = prod["id"]!.GetValue<string>();

        await Api.ProblemAsync(await dev.QueryAsync(id, "select count(*) from employee"), HttpStatusCode.Forbidden, "access-denied");
        await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { id } } });
        var count = await dev.PostOkAsync("/api/v1/query", new { database = id, statement = "select count(*) from employee" }, HttpStatusCode.OK);
        Assert.Equal(1000, count["rows"]![0]![0]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await dev.QueryAsync(id, "select * from current_dept_emp limit 5")).StatusCode);

        // A restart on the same data folder creates nothing twice.
        await using var again = app.Restarted();
        var api = new Api(again.CreateClient());
        await api.LoginAsync("admin@example.com", "admin-password-1");
        Assert.Single((await api.GetOkAsync("/api/v1/databases")).AsArray(), d => d!["name"]!.GetValue<string>() == prefix + "hr_prod");
        await db.ExecuteAsRootAsync($"DROP DATABASE `{prefix}hr_prod`", $"DROP DATABASE `{prefix}hr_test`");
    }
}
