using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace JitGate.Bench;

/// <summary>
/// Large results through POST /query: 10,000 wide rows (salary joined with employee and the title held at
/// the time) from a sample of 100,000 employees, against 10 rows of the same statement. Reports latency,
/// response bytes and the server process's peak resident set (VmHWM, reset before each phase through
/// /proc/&lt;pid&gt;/clear_refs). The cap must bound memory: a statement that has to read the whole table
/// before its first row (ORDER BY on an unindexed column) must peak no higher than one that streams.
/// </summary>
internal static class ResultSizeSuite
{
    private static readonly string[] ProdOnly = ["hr_prod"];

    private const string Wide = """
        select e.emp_no, e.birth_date, e.first_name, e.last_name, e.gender, e.hire_date,
               s.amount, s.from_date, s.to_date, t.title, t.from_date as title_from, t.to_date as title_to
        from salary s
        join employee e on e.emp_no = s.emp_no
        join title t on t.emp_no = s.emp_no and t.from_date <= s.from_date and (t.to_date is null or s.from_date < t.to_date)
        """;

    public static async Task RunAsync(BenchArgs args)
    {
        var employees = args.Int("employees", 100_000);
        var requests = args.Int("requests", 20, positional: true);
        var limit = TimeSpan.FromSeconds(args.Double("seconds", 60));
        Machine.Print();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result size: {employees:N0} employees per sample database, {requests} requests per phase (time bound {limit.TotalSeconds:0} s), one client"));

        var clock = Stopwatch.StartNew();
        await using var server = ServerProcess.Start(environment: new Dictionary<string, string>
        {
            ["JitGate__SampleEmployees"] = employees.ToString(CultureInfo.InvariantCulture),
        });
        using var admin = await server.SignupAdminAsync(TimeSpan.FromMinutes(10));
        var grant = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings",
            new { principal = $"user:{ServerProcess.AdminEmail}", role = "sqlEditorUser", duration = "P1D", scope = new { databases = ProdOnly } });
        grant.EnsureSuccessStatusCode();
        var path = Path.Combine(server.DataDir, "sample", "hr_prod.db");
        var salaries = DirectDriver.Sqlite(path, "select count(*) from salary", 1).Rows[0][0];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"server up with the sample generated in {clock.Elapsed.TotalSeconds:0.0} s; hr_prod.db {ProcStatus.Mib(new FileInfo(path).Length)}, {salaries:N0} salary rows"));

        var phases = new (string Name, string Statement, int MaxRows, int Requests)[]
        {
            ("10 rows", Wide, 10, requests),
            ("10,000 rows (streamed, cap hit)", Wide, 10_000, requests),
            ("10,000 rows (whole join sorted first)", Wide + " order by s.amount desc, s.emp_no", 10_000, Math.Max(3, requests / 4)),
        };
        foreach (var (_, statement, maxRows, _) in phases)
        {
            for (var i = 0; i < 2; i++) await Http.PostAsync(admin, "/api/v1/query", Http.Body(new { database = "hr_prod", statement, maxRows }));
        }
        await Task.Delay(1000);
        var idle = server.ReadStatusBytes("VmRSS");
        Console.WriteLine($"server resident set after warm-up: {ProcStatus.Mib(idle)} (VmRSS)");
        Console.WriteLine($"{LoadResult.Header("POST /query")} {"bytes",10} {"rows",6} {"peak RSS",10} {"peak - before",14} {"alloc/query",12}");
        foreach (var (name, statement, maxRows, count) in phases)
        {
            var body = Http.Body(new { database = "hr_prod", statement, maxRows });
            var before = server.ReadStatusBytes("VmRSS");
            var reset = server.ResetPeak();
            var allocatedBefore = await AllocatedBytesAsync(admin);
            var last = Array.Empty<byte>();
            var run = await LoadDriver.RunAsync(name, 1, count, limit, 0, async _ => last = await Http.PostForBytesAsync(admin, "/api/v1/query", body));
            var allocatedPerQuery = (await AllocatedBytesAsync(admin) - allocatedBefore) / Math.Max(1, run.Latencies.Count);
            var bytes = last.Length;
            var rows = System.Text.Json.JsonDocument.Parse(last).RootElement.GetProperty("rowCount").GetInt32();
            var peak = server.ReadStatusBytes("VmHWM");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Row()} {bytes,10:N0} {rows,6} {ProcStatus.Mib(peak),10} {ProcStatus.Mib(peak - before),14} {allocatedPerQuery / 1024.0,8:N0} KiB{(reset ? "" : "  (peak not reset: since start)")}"));
        }

        var direct = await LoadDriver.RunSync("direct driver, 10,000 rows (context)", 1, requests, limit, 2, _ => DirectDriver.Sqlite(path, Wide, 10_000));
        Console.WriteLine(direct.Row());
        Console.WriteLine("peak RSS is the server process's VmHWM during the phase; 'peak - before' is its growth over the resident set when the phase began;");
        Console.WriteLine("alloc/query is the server's managed allocations during the phase (dotnet.gc.heap.total_allocated from /metrics) over the queries answered (one /metrics read included).");
    }

    /// <summary>The server's managed bytes allocated since it started, from its Prometheus endpoint.</summary>
    private static async Task<long> AllocatedBytesAsync(HttpClient client)
    {
        const string Name = "dotnet_gc_heap_total_allocated_bytes_total";
        // The exporter answers from a cached scrape for a short while; wait it out so the figure is fresh.
        await Task.Delay(1000);
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Name, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"/metrics has no {Name}");
        return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
