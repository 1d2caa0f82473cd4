using System.Diagnostics;
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
/// --engine postgres does the same on a throwaway PostgreSQL 15 cluster, --engine mysql on a throwaway
/// MariaDB server (the direct reference is then MySqlConnector).
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
        Trace = args.String("trace", "");
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
                await PostgresAsync(settings, TimeSpan.FromMilliseconds(args.Double("delay-ms", 0)));
                break;
            case "mysql":
                await MySqlAsync(settings);
                break;
            default:
                Console.WriteLine("--engine must be sqlite, postgres or mysql");
                break;
        }
    }

    /// <summary>
    /// --trace PREFIX: while JitGate's row runs at each client count, dotnet-trace (a local tool of the
    /// repository: dotnet tool restore) samples the server's CPU into PREFIX-CLIENTS.nettrace.
    /// </summary>
    private static string Trace = "";

    private static Process? StartTrace(int pid, int clients, TimeSpan duration)
    {
        if (Trace.Length == 0) return null;
        var file = $"{Trace}-{clients}.nettrace";
        var info = new ProcessStartInfo("dotnet", ["dotnet-trace", "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time",
            "--duration", duration.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture), "-o", file])
        { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        Console.WriteLine($"  tracing the server into {file}");
        return Process.Start(info);
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
        await using var useCase = new RunQueryProbe(server.DataDir, 1, ServerProcess.AdminEmail);
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
                }),
            clients => LoadDriver.RunAsync("  diag: RunQuery use case in process", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => useCase.RunAsync("hr_prod", Statement)),
            server.Pid);
    }

    /// <param name="settings">Requests, time bound and client counts.</param>
    /// <param name="oneWay">With a delay, every reference and JitGate reach the cluster through a <see cref="DelayProxy"/>
    /// that holds each packet this long in each direction (--delay-ms).</param>
    private static async Task PostgresAsync(Settings settings, TimeSpan oneWay)
    {
        await using var cluster = await PgCluster.StartAsync(employees: 1000);
        if (cluster is null)
        {
            Console.WriteLine($"PostgreSQL 15 binaries are missing ({PgCluster.BinDirectory}); install postgresql-15 to run this variant. Skipped.");
            return;
        }
        await using var proxy = oneWay > TimeSpan.Zero ? DelayProxy.Start(cluster.Port, oneWay) : null;
        var port = proxy?.Port ?? cluster.Port;
        if (proxy is not null) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the cluster is {oneWay.TotalMilliseconds:0.###} ms away each way, through a relay on port {port}"));
        await using var source = cluster.ReaderSource(maxPool: 32, port);
        await using var server = ServerProcess.Start();
        using var admin = await server.SignupAdminAsync(TimeSpan.FromSeconds(60));
        var register = await admin.PostAsJsonAsync("/api/v1/instances", new
        {
            name = "bench-pg",
            engine = "postgres",
            environment = "prod",
            project = "sample",
            host = "127.0.0.1",
            port,
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

        if (proxy is not null && databaseId is not null)
        {
            // Round trips, counted by the relay: writes each way per query, after a warm-up.
            var body = Http.Body(new { database = databaseId, statement = Statement });
            for (var i = 0; i < 50; i++) await Http.PostAsync(admin, "/api/v1/query", body);
            for (var i = 0; i < 50; i++) await DirectDriver.PostgresAsync(source, Statement, 1000, CancellationToken.None);
            proxy.ResetCounts();
            for (var i = 0; i < 200; i++) await DirectDriver.PostgresAsync(source, Statement, 1000, CancellationToken.None);
            var direct = proxy.Counts;
            proxy.ResetCounts();
            for (var i = 0; i < 200; i++) await Http.PostAsync(admin, "/api/v1/query", body);
            var gate = proxy.Counts;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"writes through the relay per query (to the server / back): direct {direct.ToServer / 200.0:0.00} / {direct.ToClient / 200.0:0.00}, JitGate {gate.ToServer / 200.0:0.00} / {gate.ToClient / 200.0:0.00}"));
        }
        await using var floor = await FloorServer.StartAsync((q, ct) => DirectDriver.PostgresAsync(source, q.Statement!, q.MaxRows ?? 1000, ct));
        await using var auditProbe = new AuditWriteProbe(server.DataDir);
        await MeasureAsync(settings, databaseId, admin,
            "Npgsql direct (pooled)", clients => LoadDriver.RunAsync("Npgsql direct (pooled)", clients, settings.Requests, settings.Limit, Warmup(clients),
                async _ => await DirectDriver.PostgresAsync(source, Statement, 1000, CancellationToken.None)),
            floor, auditProbe, null, null, null, server.Pid);
    }

    private static async Task MySqlAsync(Settings settings)
    {
        await using var mariaDb = await MariaDbServer.StartAsync(maxConnections: 300);
        if (mariaDb is null)
        {
            Console.WriteLine($"MariaDB is missing ({MariaDbServer.ServerBinary}); install mariadb-server to run this variant. Skipped.");
            return;
        }
        await mariaDb.AddSampleAsync("hr_prod", employees: 1000);
        await using var source = mariaDb.ReaderSource("hr_prod", maxPool: 32);
        await using var server = ServerProcess.Start();
        using var admin = await server.SignupAdminAsync(TimeSpan.FromSeconds(60));
        var register = await admin.PostAsJsonAsync("/api/v1/instances", new
        {
            name = "bench-mariadb", engine = "mysql", environment = "prod", project = "sample",
            host = "127.0.0.1", port = mariaDb.Port, username = MariaDbServer.AdminName, password = MariaDbServer.AdminPassword,
        });
        var answer = await register.Content.ReadAsStringAsync();
        if (register.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST /instances with engine mysql answered {(int)register.StatusCode}: {answer}");
        var databaseId = JsonNode.Parse(answer)!["databases"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())
            .FirstOrDefault(id => id.Contains("hr_prod", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"POST /instances found no hr_prod: {answer}");
        var grant = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "P1D", scope = new { databases = new[] { databaseId } } });
        grant.EnsureSuccessStatusCode();

        await using var floor = await FloorServer.StartAsync((q, ct) => DirectDriver.MySqlAsync(source, q.Statement!, q.MaxRows ?? 1000, ct));
        await using var auditProbe = new AuditWriteProbe(server.DataDir);
        await MeasureAsync(settings, databaseId, admin,
            "MySqlConnector direct (pooled)", clients => LoadDriver.RunAsync("MySqlConnector direct (pooled)", clients, settings.Requests, settings.Limit, Warmup(clients),
                async _ => await DirectDriver.MySqlAsync(source, Statement, 1000, CancellationToken.None)),
            floor, auditProbe, null, null, null, server.Pid);
    }

    private static int Warmup(int clients) => Math.Max(200, clients * 20);

    /// <summary>For each client count: direct, floor, JitGate (when <paramref name="database"/> is set), then the ratios.</summary>
    private static async Task MeasureAsync(Settings settings, string? database, HttpClient jitgate, string directName,
        Func<int, Task<LoadResult>> runDirect, FloorServer floor, AuditWriteProbe audit, Uri? ownProcessFloor, Func<int, Task<LoadResult>>? runnerInProcess, Func<int, Task<LoadResult>>? useCaseInProcess, int serverPid)
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
            var auditedRun = await LoadDriver.RunAsync("audited floor (+ audit commit per query)", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => Http.PostAsync(floorClient, FloorServer.AuditedPrefix + "/api/v1/query", body));
            Console.WriteLine(auditedRun.Row());
            results.Add(auditedRun);
            if (database is null) continue;
            using var trace = StartTrace(serverPid, clients, settings.Limit);
            var gate = await LoadDriver.RunAsync("JitGate POST /query", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => Http.PostAsync(jitgate, "/api/v1/query", body));
            if (trace is not null) await trace.WaitForExitAsync();
            Console.WriteLine(gate.Row());
            results.Add(gate);
            // Where the time goes: JitGate's HTTP and authentication path without a query or an audit
            // write, and (SQLite) JitGate's engine-enforcing runner called in this process.
            var me = await LoadDriver.RunAsync("  diag: JitGate GET /me (no query)", clients, settings.Requests, settings.Limit, Warmup(clients),
                _ => Http.GetAsync(jitgate, "/api/v1/me"));
            Console.WriteLine(me.Row());
            if (runnerInProcess is not null) Console.WriteLine((await runnerInProcess(clients)).Row());
            if (useCaseInProcess is not null) Console.WriteLine((await useCaseInProcess(clients)).Row());
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
        if (Find("JitGate", many) is { } a16 && Find("audited floor", many) is { } af16)
        {
            var ratio = a16.Throughput / af16.Throughput;
            Console.WriteLine(Verdict($"throughput JitGate / audited floor at {many} clients: {ratio:0.00}", ratio >= 1.0, "target >= 1.0"));
        }
        if (Find("JitGate", one) is { } a1 && Find("audited floor", one) is { } af1)
        {
            var ratio = a1.Median / af1.Median;
            Console.WriteLine(Verdict($"median JitGate / audited floor at {one} client: {ratio:0.00}", ratio <= 1.3, "target <= 1.3"));
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
