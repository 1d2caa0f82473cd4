using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JitGate.Bench;

/// <summary>
/// Approval to first row on a server engine: a developer asks for sqlEditorUser on a production database
/// (high risk, one projectOwner step), the owner approves, and the developer queries until the query is
/// allowed. The figure is the time from the approving call's answer to the developer's first successful
/// answer, which covers the binding becoming visible and the engine's GRANT (the reconcile). The
/// binding is then revoked and the developer's query checked refused before the next round.
/// Options: --engine postgres|mysql|both (both), --runs N (30), --pause-ms N (300) between rounds, so a
/// revoke's own background reconcile is not counted in the next approval.
/// </summary>
internal static class ApprovalSuite
{
    private const string Statement = "select first_name from employee order by emp_no limit 1";

    public static async Task RunAsync(BenchArgs args)
    {
        var engine = args.String("engine", "both");
        var runs = args.Int("runs", 30, positional: true);
        var pause = TimeSpan.FromMilliseconds(args.Int("pause-ms", 300));
        Machine.Print();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"approval to first row: {runs} rounds per engine (one more as warm-up), {pause.TotalMilliseconds:0} ms between rounds"));
        Console.WriteLine(LoadResult.Header("engine: step"));
        if (engine is "postgres" or "both") await PostgresAsync(runs, pause);
        if (engine is "mysql" or "both") await MySqlAsync(runs, pause);
        if (engine is not ("postgres" or "mysql" or "both")) Console.WriteLine("--engine must be postgres, mysql or both");
    }

    private static async Task PostgresAsync(int runs, TimeSpan pause)
    {
        await using var cluster = await PgCluster.StartAsync(employees: 1000);
        if (cluster is null)
        {
            Console.WriteLine($"PostgreSQL 15 binaries are missing ({PgCluster.BinDirectory}); skipped.");
            return;
        }
        await MeasureAsync("postgres", new
        {
            name = "bench-pg", engine = "postgres", environment = "prod", project = "sample",
            host = "127.0.0.1", port = cluster.Port, username = PgCluster.AdminName, password = PgCluster.AdminPassword,
        }, runs, pause);
    }

    private static async Task MySqlAsync(int runs, TimeSpan pause)
    {
        await using var mariaDb = await MariaDbServer.StartAsync(maxConnections: 300);
        if (mariaDb is null)
        {
            Console.WriteLine($"MariaDB is missing ({MariaDbServer.ServerBinary}); skipped.");
            return;
        }
        await mariaDb.AddSampleAsync("hr_prod", employees: 1000);
        await MeasureAsync("mysql", new
        {
            name = "bench-mariadb", engine = "mysql", environment = "prod", project = "sample",
            host = "127.0.0.1", port = mariaDb.Port, username = MariaDbServer.AdminName, password = MariaDbServer.AdminPassword,
        }, runs, pause);
    }

    private static async Task MeasureAsync(string engine, object instance, int runs, TimeSpan pause)
    {
        await using var server = ServerProcess.Start();
        using var admin = await server.SignupAdminAsync(TimeSpan.FromSeconds(60));
        using var register = await admin.PostAsJsonAsync("/api/v1/instances", instance);
        var answer = await register.Content.ReadAsStringAsync();
        if (register.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST /instances answered {(int)register.StatusCode}: {answer}");
        var databaseId = JsonNode.Parse(answer)!["databases"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())
            .FirstOrDefault(id => id.Contains("hr_prod", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"POST /instances found no hr_prod: {answer}");

        await StoryFlow.SetUpAsync(admin);
        var (dev, owner) = await StoryFlow.SignInAsync(server);
        using var devClient = dev;
        using var ownerClient = owner;

        var request = Http.Body(new { role = "sqlEditorUser", scope = new { databases = new[] { databaseId } }, duration = "PT1H", reason = "benchmark: incident on prod" });
        var query = Http.Body(new { database = databaseId, statement = Statement });
        var approve = Http.Body(new { comment = "ok" });
        var approvals = new List<double>();
        var firstRows = new List<double>();
        var wholes = new List<double>();
        var refusedBefore = 0;
        var clock = Stopwatch.StartNew();
        for (var round = 0; round <= runs; round++)
        {
            if (await QueryStatusAsync(dev, query) != HttpStatusCode.Forbidden)
            {
                throw new InvalidOperationException("the developer's query was not refused before the approval");
            }
            var created = await PostAsync(dev, "/api/v1/projects/sample/access-requests", request);
            if (created.GetProperty("riskLevel").GetString() != "high" || created.GetProperty("status").GetString() != "pendingApproval")
            {
                throw new InvalidOperationException($"expected a high-risk pending request: {created}");
            }
            var started = Stopwatch.GetTimestamp();
            var approved = await PostAsync(owner, $"/api/v1/access-requests/{created.GetProperty("id").GetInt64()}/approve", approve);
            var answered = Stopwatch.GetTimestamp();
            if (approved.GetProperty("status").GetString() != "approved") throw new InvalidOperationException($"approval did not grant: {approved}");
            var attempts = 0;
            while (true)
            {
                attempts++;
                var status = await QueryStatusAsync(dev, query);
                if (status == HttpStatusCode.OK) break;
                if (status != HttpStatusCode.Forbidden) throw new InvalidOperationException($"query answered {(int)status}");
                if (Stopwatch.GetElapsedTime(answered) > TimeSpan.FromSeconds(30)) throw new InvalidOperationException("the query was still refused 30 s after the approval");
            }
            var firstRow = Stopwatch.GetTimestamp();
            if (round > 0)
            {
                approvals.Add(Stopwatch.GetElapsedTime(started, answered).TotalMicroseconds);
                firstRows.Add(Stopwatch.GetElapsedTime(answered, firstRow).TotalMicroseconds);
                wholes.Add(Stopwatch.GetElapsedTime(started, firstRow).TotalMicroseconds);
                refusedBefore += attempts - 1;
            }
            await Http.ExpectAsync(admin.DeleteAsync($"/api/v1/projects/sample/bindings/{approved.GetProperty("bindingId").GetInt64()}"));
            await Task.Delay(pause);
        }

        var elapsed = clock.Elapsed;
        approvals.Sort();
        firstRows.Sort();
        wholes.Sort();
        Console.WriteLine(new LoadResult($"{engine}: POST /approve (answered)", 1, approvals, elapsed, false).Row());
        var row = new LoadResult($"{engine}: approve answered -> first row", 1, firstRows, elapsed, false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{row.Row()}  median target <= 100 ms: {(row.Median <= 100_000 ? "met" : "MISSED")}; {refusedBefore} refused queries before the first row in {runs} rounds"));
        Console.WriteLine(new LoadResult($"{engine}: approve sent -> first row", 1, wholes, elapsed, false).Row());
    }

    private static async Task<HttpStatusCode> QueryStatusAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/api/v1/query", content);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, byte[] body)
    {
        using var doc = JsonDocument.Parse(await Http.PostForBytesAsync(client, path, body));
        return doc.RootElement.Clone();
    }
}
