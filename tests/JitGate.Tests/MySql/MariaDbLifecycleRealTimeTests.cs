using System.Diagnostics;
using System.Globalization;
using System.Net;
using JitGate.Engines.Tests.MySql;
using JitGate.Tests.Infrastructure;
using MySqlConnector;

namespace JitGate.Tests.MySql;

/// <summary>
/// A scheduled window on a real MariaDB server, on the system clock: its account's grants arrive within a
/// second of the start and not before, seen by an open native session (table privileges are checked on each
/// statement).
/// </summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLifecycleRealTimeTests(MariaDbFixture db)
{
    private static object Table(string database, string table) => new { tables = new[] { new { database, table } } };

    /// <summary>True when the session may read the table now; false when the server refuses it (1142).</summary>
    private static async Task<bool> CanReadAsync(MySqlConnection session, string table)
    {
        try
        {
            await using var probe = new MySqlCommand($"select count(*) from {table}", session);
            await probe.ExecuteScalarAsync();
            return true;
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.TableAccessDenied)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_scheduled_windows_grants_reach_the_account_within_a_second_of_its_start_and_not_before()
    {
        await using var app = new JitGateApp(realTime: true);
        var admin = await Api.SignupAdminAsync(app);
        var dev = await admin.CreateUserAsync(app, "dev@example.com");
        await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        var instance = await admin.PostOkAsync("/api/v1/instances", new
        {
            name = "MariaDB " + Guid.NewGuid().ToString("n")[..6], engine = "mysql", environment = "prod", project = "sample",
            host = "127.0.0.1", port = db.Port, username = MariaDbFixture.AdminName, password = MariaDbFixture.AdminPassword,
        });
        var database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();

        // Access to one table now, so the developer holds native credentials while the window waits.
        await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT1H", scope = Table(database, "employee") });
        var credentials = await dev.PostOkAsync($"/api/v1/databases/{database}/credentials", new { }, HttpStatusCode.OK);
        await using var session = db.LoginAs(credentials["username"]!.GetValue<string>(), credentials["password"]!.GetValue<string>());
        await session.OpenAsync();
        Assert.False(await CanReadAsync(session, "salary"));

        var startsAt = DateTimeOffset.UtcNow.AddSeconds(8);
        var window = await admin.BindAsync("sample", new
        {
            principal = "user:dev@example.com", role = "sqlEditorUser", duration = "PT10M", scope = Table(database, "salary"),
            startsAt = startsAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        });
        Assert.Equal("scheduled", window["status"]!.GetValue<string>());

        DateTimeOffset? readableAt = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
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
            var recorded = (await admin.GetOkAsync("/api/v1/audit?action=binding.start")).AsArray().Single()!["at"]!.GetValue<DateTimeOffset>();
            Assert.Fail($"salary became readable {afterStart.TotalSeconds:0.000} s after the window started; the start was recorded {(recorded - startsAt).TotalSeconds:0.000} s after it.");
        }
        Assert.True(await CanReadAsync(session, "employee"));
    }
}
