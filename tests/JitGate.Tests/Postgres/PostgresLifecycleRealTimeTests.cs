using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using JitGate.Core.Features.Webhooks;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;
using Npgsql;

namespace JitGate.Tests.Postgres;

/// <summary>
/// The lifecycle's two promises about real elapsed time on a real PostgreSQL server, on the system clock:
/// a scheduled window's grants reach the login within a second of its start and not before, and an
/// incident's resolution ends an open psql session within two seconds.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLifecycleRealTimeTests(PostgresFixture pg)
{
    private const string IncidentSecret = "incident-secret-0123456789";

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

    private static object Table(string database, string table) => new { tables = new[] { new { database, table } } };

    /// <summary>True when the session may read the table now; false when PostgreSQL refuses it (42501).</summary>
    private static async Task<bool> CanReadAsync(NpgsqlConnection session, string table)
    {
        try
        {
            await using var probe = new NpgsqlCommand($"select count(*) from {table}", session);
            await probe.ExecuteScalarAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_scheduled_windows_grants_reach_the_login_within_a_second_of_its_start_and_not_before()
    {
        await using var app = new JitGateApp(realTime: true);
        var (admin, dev, database) = await StartAsync(app);
        // Access to one table now, so the developer holds native credentials while the window waits.
        await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = Table(database, "employee") });
        var credentials = await dev.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
        await using var session = pg.LoginAs(credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>());
        await session.OpenAsync();

        var startsAt = DateTimeOffset.UtcNow.AddSeconds(8);
        var window = await admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT10M", scope = Table(database, "salary"),
            startsAt = startsAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        });
        Assert.Equal("scheduled", window["status"]!.GetValue<string>());

        DateTimeOffset? readableAt = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (await CanReadAsync(session, "salary"))
            {
                readableAt = DateTimeOffset.UtcNow;
                break;
            }
            await Task.Delay(50);
        }
        Assert.NotNull(readableAt);
        var afterStart = readableAt.Value - startsAt;
        Assert.True(afterStart >= TimeSpan.Zero, $"salary was readable {-afterStart.TotalSeconds:0.000} s before the window started");
        if (afterStart > TimeSpan.FromSeconds(1))
        {
            // Which part was late: the pass that records the start, or bringing the login in line after it.
            var recorded = (await admin.GetOkAsync("/api/v1/audit?action=binding.start")).AsArray().Single()!["at"]!.GetValue<DateTimeOffset>();
            Assert.Fail($"salary became readable {afterStart.TotalSeconds:0.000} s after the window started; the start was recorded {(recorded - startsAt).TotalSeconds:0.000} s after it.");
        }
        Assert.True(await CanReadAsync(session, "employee"));
    }

    [Fact]
    public async Task An_incidents_resolution_ends_an_open_psql_session_within_two_seconds()
    {
        await using var app = new JitGateApp(realTime: true);
        var (admin, dev, database) = await StartAsync(app);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PutAsJsonAsync("/api/v1/settings/incidents", new { secret = IncidentSecret })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IncidentAsync(app, """{"id":"INC-42","status":"triggered","title":"Payroll down"}""")).StatusCode);
        var request = await dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = Table(database, "salary"), duration = "PT4H", reason = "payroll", incident = "INC-42" });
        if (request["status"]!.GetValue<string>() == "pendingApproval")
        {
            await admin.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);
        }
        var credentials = await dev.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
        await using var session = pg.LoginAs(credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>());
        await session.OpenAsync();
        Assert.True(await CanReadAsync(session, "salary"));

        var resolvedAt = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await IncidentAsync(app, """{"id":"INC-42","status":"resolved"}""")).StatusCode);
        var deadline = Stopwatch.StartNew();
        var ended = false;
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                if (!await CanReadAsync(session, "salary")) { ended = true; break; }
                await Task.Delay(50);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                ended = true; // the session itself was terminated
                break;
            }
        }
        var took = DateTimeOffset.UtcNow - resolvedAt;
        Assert.True(ended, "the session could still read salary 10 s after the incident resolved");
        Assert.True(took <= TimeSpan.FromSeconds(2), $"the session ended {took.TotalSeconds:0.00} s after the incident resolved");
    }

    private static async Task<HttpResponseMessage> IncidentAsync(JitGateApp app, string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/integrations/incidents") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-JitGate-Timestamp", timestamp);
        request.Headers.Add("X-JitGate-Signature", WebhookSignature.Sign(IncidentSecret, timestamp, body));
        using var anonymous = app.CreateClient();
        return await anonymous.SendAsync(request);
    }
}
