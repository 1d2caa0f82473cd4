using System.Diagnostics;
using System.Net;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace JitGate.Tests.Postgres;

/// <summary>The two PostgreSQL properties that are about real elapsed time, on the system clock.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRealTimeTests(PostgresFixture pg)
{
    private async Task<(Api Admin, Api Dev, string Database)> StartAsync(JitGateApp app)
    {
        var admin = await Api.SignupAdminAsync(app);
        var dev = await admin.CreateUserAsync(app, "dev@example.com");
        await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        var instance = await admin.PostOkAsync("/api/v1/instances", new
        {
            name = "PG " + Guid.NewGuid().ToString("n")[..6], engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        var database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
        return (admin, dev, database);
    }

    [Fact]
    public async Task A_psql_session_is_ended_within_two_seconds_of_expiry()
    {
        await using var app = new JitGateApp(realTime: true);
        var (admin, dev, database) = await StartAsync(app);
        var binding = await admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT10S",
            scope = new { tables = new[] { new { database, table = "salary" } } },
        });
        var expiresAt = binding["expiresAt"]!.GetValue<DateTimeOffset>();
        var credentials = await dev.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
        await using var session = pg.LoginAs(credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>());
        await session.OpenAsync();

        // Ten seconds leave time to sign in with the credentials on a busy machine before they run out.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                await using var probe = new NpgsqlCommand("select count(*) from salary", session);
                await probe.ExecuteScalarAsync();
                await Task.Delay(100);
            }
            catch (Exception e) when (e is NpgsqlException or PostgresException or InvalidOperationException)
            {
                break;
            }
        }
        var endedAfterExpiry = DateTimeOffset.UtcNow - expiresAt;
        // A loose bound: the reconciler ticks every second; the expiry-lag figure itself is measured in bench/.
        Assert.True(endedAfterExpiry < TimeSpan.FromSeconds(4), $"the session ended {endedAfterExpiry.TotalSeconds:0.00} s after expiry");
        Assert.True(endedAfterExpiry > TimeSpan.FromSeconds(-0.5), $"the session ended {-endedAfterExpiry.TotalSeconds:0.00} s before expiry");
    }

    [Fact]
    public async Task An_unreachable_instance_is_a_clear_503_not_a_hang()
    {
        var app = new JitGateApp(realTime: true);
        var (admin, _, database) = await StartAsync(app);
        await admin.BindAsync("sample", new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "PT1H", scope = new { databases = new[] { database } } });
        var dataDir = app.DataDir;
        await app.DisposeAsync();

        // The server moves away: nothing listens on the instance's port any more.
        await using (var metadata = new SqliteConnection($"Data Source={Path.Combine(dataDir, "jitgate.db")};Pooling=False"))
        {
            await metadata.OpenAsync();
            await using var command = metadata.CreateCommand();
            command.CommandText = "update instances set Port = 1 where Engine = 'postgres'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await using var again = new JitGateApp(dataDir, realTime: true);
        var api = new Api(again.CreateClient());
        await api.LoginAsync("admin@example.com", "admin-password-1");
        var started = Stopwatch.StartNew();
        var response = await api.QueryAsync(database, "select 1");
        await Api.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "engine-unavailable");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
    }
}
