using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Core.Engines;
using JitGate.Engines.Sqlite;

namespace JitGate.Bench;

/// <summary>
/// A one-row SELECT on hr_prod through JitGate's POST /query over loopback HTTP, at 1 and 16 concurrent
/// clients, against two references measured in the same run: the direct driver in this process, and the
/// floor (<see cref="FloorServer"/>: Kestrel, a bearer check and JSON around the same driver call).
/// --engine postgres does the same on a throwaway PostgreSQL 15 cluster.
/// </summary>
internal static class QueryOverheadSuite
{
    private static readonly string[] ProdOnly = ["hr_prod"];
    private const string Statement = "select emp_no, first_name, last_name from employee where emp_no = 10001";

    public static async Task RunAsync(BenchArgs args)
    {
        var engine = args.String("engine", "sqlite");
        var settings = new Settings(
            args.Int("requests", 5000, positional: true),
            TimeSpan.FromSeconds(args.Double("seconds", 15)),
            args.Ints("clients", [1, 16]));
        LoadDriver.MinimumWarmup = TimeSpan.FromSeconds(args.Double("warmup-seconds", 10));
        Machine.Print();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"query overhead, {engine}: a one-row SELECT, {settings.Requests} requests per run (time bound {settings.Limit.TotalSeconds:0} s) after at least {LoadDriver.MinimumWarmup.TotalSeconds:0.#} s of warm-up, clients {string.Join(",", settings.Clients)}"));
        Console.WriteLine($"statement: {Statement}");
        switch (engine)
        {
            case "sqlite":
                await SqliteAsync(settings);
                break;
            case "postgres":
                await PostgresAsync(settings);
                break;
            default:
                Console.WriteLine("--engine must be sqlite or postgres");
                break;
        }
    }

    private sealed record Settings(int Requests, TimeSpan Limit, int[] Clients);

    private static async Task SqliteAsync(Settings settings)
    {
        await using var server = ServerProcess.Start();
        using var admin = await server.SignupAdminAsync(TimeSpan.FromSeconds(60));
        var grant = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "P1D", scope = new { databases = ProdOnly } });
        grant.EnsureSuccessStatusCode();

        var path = Path.Combine(server.DataDir, "sample", "hr_prod.db");
        var direct = DirectDriver.Sqlite(path, Statement, 1000);
        if (direct.RowCount != 1) throw new InvalidOperationException($"expected one row, got {direct.RowCount}");
        await using var floor = await FloorServer.StartAsync((q, _) => ValueTask.FromResult(DirectDriver.Sqlite(path, q.Statement!, q.MaxRows ?? 1000)));
        await using var auditProbe = new AuditWriteProbe(server.DataDir);
        await using var ownProcessFloor = await FloorProcess.StartSqliteAsync(path);
        var limits = new QueryLimits(1000, TimeSpan.FromSeconds(30));
        await MeasureAsync(settings, "hr_prod", admin,
            "Microsoft.Data.Sqlite direct", clients => LoadDriver.RunSync("Microsoft.Data.Sqlite direct", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => DirectDriver.Sqlite(path, Statement, 1000)),
            floor,
            auditProbe,
            ownProcessFloor.BaseAddress,
            clients => LoadDriver.RunSync("  diag: SqliteQueryRunner in process", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ =>
                {
                    if (SqliteQueryRunner.Run(path, ReadGrant.Everything, Statement, limits, CancellationToken.None) is not QueryOutcome.Success) throw new InvalidOperationException("runner refused");
                }));
    }

    private static async Task PostgresAsync(Settings settings)
    {
        await using var cluster = await PgCluster.StartAsync(employees: 1000);
        if (cluster is null)
        {
            Console.WriteLine($"PostgreSQL 15 binaries are missing ({PgCluster.BinDirectory}); install postgresql-15 to run this variant. Skipped.");
            return;
        }
        await using var source = cluster.ReaderSource(maxPool: 32);
        await using var server = ServerProcess.Start();
        using var admin = await server.SignupAdminAsync(TimeSpan.FromSeconds(60));
        var register = await admin.PostAsJsonAsync("/api/v1/instances", new
        {
            name = "bench-pg",
            engine = "postgres",
            environment = "prod",
            project = "sample",
            host = "127.0.0.1",
            port = cluster.Port,
            username = PgCluster.AdminName,
            password = PgCluster.AdminPassword,
        });
        string? databaseId = null;
        var answer = await register.Content.ReadAsStringAsync();
        if (register.StatusCode == HttpStatusCode.Created)
        {
            var instance = JsonNode.Parse(answer)!;
            databaseId = instance["databases"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())
                .FirstOrDefault(id => id.Contains("hr_prod", StringComparison.Ordinal));
            if (databaseId is null) throw new InvalidOperationException($"POST /instances found no hr_prod: {answer}");
            var grant = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings",
                new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "P1D", scope = new { databases = new[] { databaseId } } });
            grant.EnsureSuccessStatusCode();
        }
        else
        {
            var type = JsonNode.Parse(answer)?["type"]?.GetValue<string>() ?? "";
            Console.WriteLine(type.EndsWith("engine-not-supported", StringComparison.Ordinal)
                ? $"JitGate: POST /instances with engine postgres answered {(int)register.StatusCode} engine-not-supported: this server does not support PostgreSQL instances yet. JitGate rows skipped; the references below are still measured."
                : $"JitGate: POST /instances with engine postgres answered {(int)register.StatusCode}: {answer}. JitGate rows skipped.");
        }

        await using var floor = await FloorServer.StartAsync((q, ct) => DirectDriver.PostgresAsync(source, q.Statement!, q.MaxRows ?? 1000, ct));
        await using var auditProbe = new AuditWriteProbe(server.DataDir);
        await MeasureAsync(settings, databaseId, admin,
            "Npgsql direct (pooled)", clients => LoadDriver.RunAsync("Npgsql direct (pooled)", clients, settings.Requests, settings.Limit, Warmup(clients),
                async _ => await DirectDriver.PostgresAsync(source, Statement, 1000, CancellationToken.None)),
            floor, auditProbe, null, null);
    }

    private static int Warmup(int clients) => Math.Max(200, clients * 20);

    /// <summary>For each client count: direct, floor, JitGate (when <paramref name="database"/> is set), then the ratios.</summary>
    private static async Task MeasureAsync(Settings settings, string? database, HttpClient jitgate, string directName,
        Func<int, Task<LoadResult>> runDirect, FloorServer floor, AuditWriteProbe audit, Uri? ownProcessFloor, Func<int, Task<LoadResult>>? runnerInProcess)
    {
        using var floorClient = Http.Client(floor.BaseAddress, FloorServer.Token);
        var results = new List<LoadResult>();
        Console.WriteLine(LoadResult.Header());
        foreach (var clients in settings.Clients)
        {
            var direct = await runDirect(clients);
            Console.WriteLine(direct.Row());
            results.Add(direct);
            var body = Http.Body(new { database = database ?? "hr_prod", statement = Statement });
            var floorRun = await LoadDriver.RunAsync("floor (Kestrel + bearer + JSON)", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => Http.PostAsync(floorClient, "/api/v1/query", body));
            Console.WriteLine(floorRun.Row());
            results.Add(floorRun);
            if (database is null) continue;
            var gate = await LoadDriver.RunAsync("JitGate POST /query", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => Http.PostAsync(jitgate, "/api/v1/query", body));
            Console.WriteLine(gate.Row());
            results.Add(gate);
            // Where the time goes: JitGate's HTTP and authentication path without a query or an audit
            // write, and (SQLite) JitGate's engine-enforcing runner called in this process.
            var me = await LoadDriver.RunAsync("  diag: JitGate GET /me (no query)", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => Http.GetAsync(jitgate, "/api/v1/me"));
            Console.WriteLine(me.Row());
            if (runnerInProcess is not null) Console.WriteLine((await runnerInProcess(clients)).Row());
            if (ownProcessFloor is not null)
            {
                using var ownProcessClient = Http.Client(ownProcessFloor, FloorServer.Token);
                Console.WriteLine((await LoadDriver.RunAsync("  diag: floor in its own process", clients, settings.Requests, settings.Limit, Warmup(clients),
                    _ => Http.PostAsync(ownProcessClient, "/api/v1/query", body))).Row());
            }
            var write = await LoadDriver.RunAsync("  diag: audit write in process", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => audit.WriteAsync());
            Console.WriteLine(write.Row());
        }
        if (database is null) return;

        LoadResult? Find(string prefix, int clients) => results.FirstOrDefault(r => r.Name.StartsWith(prefix, StringComparison.Ordinal) && r.Clients == clients);
        var many = settings.Clients.Max();
        var one = settings.Clients.Min();
        Console.WriteLine();
        if (Find("JitGate", many) is { } g16 && Find("floor", many) is { } f16)
        {
            var ratio = g16.Throughput / f16.Throughput;
            Console.WriteLine(Verdict($"throughput JitGate / floor at {many} clients: {ratio:0.00}", ratio >= 0.67, "target >= 0.67"));
        }
        if (Find("JitGate", one) is { } g1 && Find("floor", one) is { } f1 && Find(directName, one) is { } d1)
        {
            var ratio = g1.Median / f1.Median;
            Console.WriteLine(Verdict($"median JitGate / floor at {one} client: {ratio:0.00}", ratio <= 1.5, "target <= 1.5"));
            var added = (g1.Median - d1.Median) / 1000;
            Console.WriteLine(Verdict($"median JitGate - direct at {one} client: {added:0.000} ms", added <= 1.0, "target <= 1 ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"for context: median floor - direct at {one} client: {(f1.Median - d1.Median) / 1000:0.000} ms; JitGate / direct median: {g1.Median / d1.Median:0.0}x"));
        }
    }

    private static string Verdict(FormattableString figure, bool met, string target) =>
        string.Create(CultureInfo.InvariantCulture, $"{figure.ToString(CultureInfo.InvariantCulture),-56} {target,-16} {(met ? "met" : "MISSED")}");
}
