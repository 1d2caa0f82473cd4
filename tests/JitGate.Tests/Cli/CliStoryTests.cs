using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Engines.Tests.Postgres;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Cli;

/// <summary>
/// The built jitgate, run as a process against a JitGate server process with a real PostgreSQL database:
/// request, approval by another user while the requester waits, query, psql through connect, giving the
/// access back; every exit code checked, and every route it called found in the OpenAPI document.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CliStoryTests(PostgresFixture pg) : IAsyncLifetime
{
    private readonly CliServer _server = new();
    private readonly string _trace = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"jitgate-cli-routes-{Guid.NewGuid():n}")).FullName;
    private string _database = "";

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        var instance = await _server.Admin.PostOkAsync("/api/v1/instances", new
        {
            name = "Prod PG", engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = pg.Port, username = PostgresFixture.AdminName, password = PostgresFixture.AdminPassword,
        });
        _database = instance["databases"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "hr_prod")!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_trace, recursive: true);
    }

    private static void Exit(int expected, CliResult result) => Assert.True(result.ExitCode == expected, $"expected exit {expected}: {result}");

    [Fact]
    public async Task Request_approve_wait_query_connect_and_end_from_the_command_line()
    {
        var dev = _server.Cli(_server.DevToken, _trace);
        var owner = _server.Cli(_server.OwnerToken, _trace);

        // A database nobody can see is not found (1).
        Exit(1, await dev.RunAsync("query", "no_such_db", "select 1"));

        // Before any grant the query is denied (3), with the request that would cover it.
        var denied = await dev.RunAsync("query", _database, "select count(*) from salary");
        Exit(3, denied);
        Assert.Contains("jitgate request hr_prod --tables salary", denied.Stderr, StringComparison.Ordinal);

        // The developer asks and waits; the owner approves from another shell.
        using var waiting = dev.Start("request", _database, "--tables", "employee,salary", "--for", "4h", "--reason", "INC-42", "--wait");
        var pending = await EventuallyAsync(async () =>
            (await (await _server.SignedInAsync("owner@example.com")).GetOkAsync("/api/v1/access-requests?filter=waitingForMe")).AsArray().FirstOrDefault());
        var id = pending!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The owner finds it in their status, waiting for them.
        var ownerStatus = await owner.RunAsync("status");
        Exit(0, ownerStatus);
        Assert.Contains("Waiting for you", ownerStatus.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{id}\s+\|\s+sample\s+\|\s+dev@example\.com\s+\|", ownerStatus.Stdout);
        Assert.DoesNotContain("Waiting for you", (await dev.RunAsync("status")).Stdout, StringComparison.Ordinal);
        // The requester cannot approve their own request: denied (3).
        Exit(3, await dev.RunAsync("approve", id));
        Exit(0, await owner.RunAsync("approve", id, "--comment", "go ahead"));
        var waited = await CliProcess.WaitAsync(waiting);
        Exit(0, waited);
        Assert.Contains($"Request {id}: low risk, pending approval.", waited.Stdout, StringComparison.Ordinal);
        Assert.True(waited.Stdout.Contains("Approved: access until", StringComparison.Ordinal), waited.ToString());

        // The table, CSV and JSON forms of one answer.
        var table = await dev.RunAsync("query", _database, "select emp_no, first_name from employee order by emp_no limit 2");
        Exit(0, table);
        Assert.Matches(@"emp_no\s+\|\s+first_name", table.Stdout);
        Assert.Contains("(2 rows)", table.Stdout, StringComparison.Ordinal);
        var csv = await dev.RunAsync("query", _database, "select emp_no from employee order by emp_no limit 2", "--format", "csv");
        Exit(0, csv);
        Assert.StartsWith("emp_no\r\n", csv.Stdout, StringComparison.Ordinal);
        var json = await dev.RunAsync("query", _database, "select count(*) as n from salary", "--json");
        Exit(0, json);
        Assert.True(JsonNode.Parse(json.Stdout)!["rows"]![0]![0]!.GetValue<long>() > 0);
        Exit(3, await dev.RunAsync("query", _database, "select * from department"));

        // status: the request and the binding, with the time left.
        var status = await dev.RunAsync("status", "--json");
        Exit(0, status);
        var binding = JsonNode.Parse(status.Stdout)!["access"]!["bindings"]!.AsArray().Single()!;
        var bindingId = binding["bindingId"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = await dev.RunAsync("status");
        Assert.Matches(@"3h 5\dm", text.Stdout);

        // connect: psql runs one statement, the temporary credentials in its environment.
        var psql = await dev.RunAsync("connect", _database, "--", "-X", "-A", "-t", "-c", "select count(*) from salary");
        Exit(0, psql);
        Assert.Matches(@"^\d+\s*$", psql.Stdout);
        Assert.Contains("your access ends", psql.Stderr, StringComparison.Ordinal);
        var refused = await dev.RunAsync("connect", _database, "--", "-X", "-c", "select * from department");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("permission denied", refused.Stderr, StringComparison.Ordinal);

        // The password is in the client's environment only: not among its arguments, and the JitGate token is not passed on.
        var probe = Path.Combine(Path.GetTempPath(), $"jitgate-cli-client-{Guid.NewGuid():n}.sh");
        await File.WriteAllTextAsync(probe, "#!/bin/sh\necho \"args:$*\"\necho \"password:$PGPASSWORD\"\necho \"user:$PGUSER\"\necho \"token:$JITGATE_TOKEN\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var seen = await dev.RunAsync("connect", _database, "--client", probe, "--", "-X", "-c", "select 1");
        File.Delete(probe);
        Exit(0, seen);
        var lines = seen.Stdout.Split('\n').Where(l => l.Contains(':', StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)], l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        Assert.True(lines["password"].Length >= 16, seen.ToString());
        Assert.Equal("-X -c select 1", lines["args"]);
        Assert.DoesNotContain(lines["password"], lines["args"], StringComparison.Ordinal);
        Assert.NotEqual("", lines["user"]);
        Assert.Equal("", lines["token"]);

        // Ctrl+C belongs to psql while it runs: jitgate, interrupted, waits for psql instead of leaving it without its parent.
        using (var running = dev.Start("connect", _database, "--", "-X", "-A", "-t", "-c", "select pg_sleep(2), 42"))
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await running.StandardError.ReadLineAsync(limit.Token) is { } line && !line.StartsWith("Connecting to", StringComparison.Ordinal))
            {
            }
            using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            var interrupted = await CliProcess.WaitAsync(running);
            Exit(0, interrupted);
            Assert.Contains("|42", interrupted.Stdout, StringComparison.Ordinal);
        }

        // end: the access is given back and is gone for queries and for psql.
        var end = await dev.RunAsync("end", bindingId);
        Exit(0, end);
        Exit(3, await dev.RunAsync("query", _database, "select count(*) from employee"));
        Exit(3, await dev.RunAsync("connect", _database, "--", "-X", "-c", "select 1"));
        Exit(1, await dev.RunAsync("end", bindingId));

        // A request left waiting is pending (4); rejected, waiting on it is denied (3).
        var second = await dev.RunAsync("request", _database, "--for", "1h", "--reason", "INC-43", "--json");
        Exit(4, second);
        var secondId = JsonNode.Parse(second.Stdout)!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Exit(2, await owner.RunAsync("reject", secondId));
        Exit(0, await owner.RunAsync("reject", secondId, "--comment", "not for this"));
        var mine = JsonNode.Parse((await dev.RunAsync("status", "--json")).Stdout)!["requests"]!.AsArray();
        Assert.Equal("rejected", mine.Single(r => r!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture) == secondId)!["status"]!.GetValue<string>());

        // Only the requester withdraws a request.
        var third = await dev.RunAsync("request", _database, "--tables", "employee", "--for", "30m", "--reason", "INC-44", "--json");
        Exit(4, third);
        var thirdId = JsonNode.Parse(third.Stdout)!["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(0, (await owner.RunAsync("cancel", thirdId)).ExitCode);
        var canceled = await dev.RunAsync("cancel", thirdId);
        Exit(0, canceled);
        Assert.Contains($"Request {thirdId} was canceled.", canceled.Stdout, StringComparison.Ordinal);

        // A window that starts later: pending (4), with its start; a start in the past is JitGate's 400, a usage error (2).
        var later = await dev.RunAsync("request", _database, "--tables", "employee", "--for", "1h", "--reason", "INC-45", "--start", "+2h", "--json");
        Exit(4, later);
        Assert.True(JsonNode.Parse(later.Stdout)!["startsAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddMinutes(110), later.ToString());
        Exit(2, await dev.RunAsync("request", _database, "--for", "1h", "--reason", "INC-45", "--start", "2020-01-01T00:00:00Z"));

        // Break-glass: refused (3) until the project allows it, then access at once (0), given back with end.
        Exit(3, await dev.RunAsync("request", _database, "--tables", "employee", "--for", "30m", "--reason", "INC-46 outage", "--break-glass"));
        Exit(2, await dev.RunAsync("request", _database, "--for", "30m", "--reason", "INC-46 outage", "--break-glass", "--wait"));
        var allow = await _server.Admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings", new
        {
            breakGlass = new { enabled = true, roles = new[] { "sqlEditorUser" }, environments = new[] { "prod" }, maxDuration = "PT1H", requireIncident = false },
        });
        Assert.True(allow.IsSuccessStatusCode, await allow.Content.ReadAsStringAsync());
        var glass = await dev.RunAsync("request", _database, "--tables", "employee", "--for", "30m", "--reason", "INC-46 outage", "--break-glass");
        Exit(0, glass);
        Assert.Contains("Break-glass access until", glass.Stdout, StringComparison.Ordinal);
        Exit(0, await dev.RunAsync("query", _database, "select count(*) from employee"));
        Exit(3, await dev.RunAsync("query", _database, "select count(*) from salary"));
        var glassBinding = System.Text.RegularExpressions.Regex.Match(glass.Stdout, @"jitgate end (\d+)").Groups[1].Value;
        Exit(0, await dev.RunAsync("end", glassBinding));
        Exit(3, await dev.RunAsync("query", _database, "select count(*) from employee"));

        // Every route it called is one the OpenAPI document describes.
        var documented = await _server.OpenApiRoutesAsync();
        var called = Directory.GetFiles(_trace).SelectMany(File.ReadAllLines).Distinct().ToList();
        Assert.Contains("POST /api/v1/databases/{id}/credentials", called);
        Assert.All(called, route => Assert.Contains(CliServer.Normalize(route.Split(' ')[0], route.Split(' ')[1]), documented));
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("Nothing turned up in 15 seconds.");
    }
}
