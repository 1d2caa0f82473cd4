using System.Net;
using System.Net.Http.Json;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;
using Npgsql;

namespace JitGate.Tests.Authorization;

/// <summary>A PostgreSQL database moved to another project: the engine itself stops granting what the old project's bindings gave, before the move answers.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseMovePostgresTests(PostgresFixture pg) : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync() => _admin = await Api.SignupAdminAsync(_app);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Native_sessions_of_the_old_projects_grants_end_when_the_move_answers()
    {
        await _admin.PostOkAsync("/api/v1/projects", new { id = "billing", title = "Billing" });
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        var instance = await _admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Moved PG " + Guid.NewGuid().ToString("n")[..6], engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        var database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { database } } });
        var credentials = await dev.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
        var (user, password) = (credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>());
        await using var session = pg.LoginAs(user, password);
        await session.OpenAsync();
        await using (var probe = new NpgsqlCommand("select count(*) from salary", session)) await probe.ExecuteScalarAsync();

        var moved = await _admin.Http.PatchAsJsonAsync($"/api/v1/databases/{database}", new { project = "billing" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var after = new NpgsqlCommand("select count(*) from salary", session);
            await after.ExecuteScalarAsync();
        });
        Assert.NotEqual(0, pg.Psql(user, password, "select count(*) from salary").ExitCode);
        await Api.ProblemAsync(await dev.PostAsync($"/api/v1/databases/{database}/credentials", new { }), HttpStatusCode.NotFound, "not-found");
    }
}
