using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace JitGate.Bench;

/// <summary>
/// GET /audit at volume. Seeding a million records through the API would take hours, so the server is
/// started once (migrations, sample, admin), stopped, and the records are written straight into its
/// metadata store (jitgate.db, table audit_records) with At encoded by the same converter EF Core uses
/// there; then the server is started again on that folder and the filters are timed.
/// </summary>
internal static class AuditSuite
{
    private const int Actors = 200;
    private static readonly string[] EmployeeTable = ["main.employee"];
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private const int DatabaseCount = 50;

    // (action, share in per mille): queries dominate, as they do in a running workspace.
    private static readonly (string Action, int PerMille)[] Mix =
    [
        ("query.execute", 800), ("auth.login", 50), ("request.create", 50), ("request.approve", 40), ("binding.create", 40),
        ("binding.expire", 10), ("binding.revoke", 5), ("request.reject", 3), ("user.create", 2),
    ];

    public static async Task RunAsync(BenchArgs args)
    {
        var records = args.Int("records", 1_000_000, positional: true);
        var requests = args.Int("requests", 100);
        var limit = TimeSpan.FromSeconds(args.Double("seconds", 20));
        Machine.Print();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"audit at volume: {records:N0} records, {requests} requests per filter (time bound {limit.TotalSeconds:0} s), one client"));

        var dataDir = Path.Combine(Path.GetTempPath(), "jitgate-bench", Guid.NewGuid().ToString("n"));
        try
        {
            await using (var first = ServerProcess.Start(dataDir))
            {
                using var admin = await first.SignupAdminAsync(TimeSpan.FromSeconds(60));
                await first.StopAsync(TimeSpan.FromSeconds(20));
            }

            var origin = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-90);
            var span = TimeSpan.FromDays(90);
            var clock = Stopwatch.StartNew();
            var path = Path.Combine(dataDir, "jitgate.db");
            Seed(path, records, origin, span);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {records:N0} audit records into {Path.GetFileName(path)} in {clock.Elapsed.TotalSeconds:0.0} s; file {ProcStatus.Mib(new FileInfo(path).Length)}"));

            await using var server = ServerProcess.Start(dataDir);
            using var client = await server.LoginAsync(ServerProcess.AdminEmail, ServerProcess.AdminPassword, TimeSpan.FromSeconds(60));
            var day = origin.AddDays(45);
            var week = origin.AddDays(60);
            static string T(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            var filters = new (string Name, string Query)[]
            {
                ("no filter, page 1", ""),
                ("actor (frequent), page 1", "actor=user0@example.com"),
                ("actor (rare), page 1", $"actor=user{Actors - 1}@example.com"),
                ("action query.execute (80%)", "action=query.execute"),
                ("action binding.revoke (0.5%)", "action=binding.revoke"),
                ("action prefix request.*", "action=request.*"),
                ("database hr_test", "database=hr_test"),
                ("since/until: one day", $"since={T(day)}&until={T(day.AddDays(1))}"),
                ("combined: actor+action+db+week", $"actor=user3@example.com&action=query.execute&database=hr_prod&since={T(week)}&until={T(week.AddDays(7))}"),
                ("no filter, page 50", "page=50"),
                ("actor (frequent), page 50", "actor=user0@example.com&page=50"),
                ("since/until one day, page 50", $"since={T(day)}&until={T(day.AddDays(1))}&page=50"),
            };

            Console.WriteLine($"{LoadResult.Header("GET /api/v1/audit?...")} {"bytes",8}  p95 target <= 100 ms");
            var missed = 0;
            foreach (var (name, query) in filters)
            {
                var url = "/api/v1/audit" + (query.Length > 0 ? "?" + query : "");
                var bytes = 0;
                var run = await LoadDriver.RunAsync(name, 1, requests, limit, 3, async _ => bytes = await Http.GetAsync(client, url));
                var met = run.P95 <= 100_000;
                if (!met) missed++;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Row()} {bytes,8}  {(met ? "met" : "MISSED")}"));
            }
            Console.WriteLine(missed == 0 ? "every filter met p95 <= 100 ms" : $"{missed} of {filters.Length} filters MISSED p95 <= 100 ms");
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Appends <paramref name="count"/> records, oldest first, spread evenly over <paramref name="span"/>.</summary>
    private static void Seed(string path, int count, DateTimeOffset origin, TimeSpan span)
    {
        // The same encoding EF Core writes for DateTimeOffset on SQLite in JitGate's model.
        var toProvider = new DateTimeOffsetToBinaryConverter().ConvertToProviderExpression.Compile();
        var random = new Random(11);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=OFF";
            pragma.ExecuteNonQuery();
        }
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO audit_records (At, ActorId, Actor, Action, Resource, DatabaseId, Outcome, RemoteAddress, DetailJson)
            VALUES ($at, $actorId, $actor, $action, $resource, $database, $outcome, $remote, $detail)
            """;
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        var actorId = insert.Parameters.Add("$actorId", SqliteType.Integer);
        var actor = insert.Parameters.Add("$actor", SqliteType.Text);
        var action = insert.Parameters.Add("$action", SqliteType.Text);
        var resource = insert.Parameters.Add("$resource", SqliteType.Text);
        var database = insert.Parameters.Add("$database", SqliteType.Text);
        var outcome = insert.Parameters.Add("$outcome", SqliteType.Text);
        var remote = insert.Parameters.Add("$remote", SqliteType.Text);
        var detail = insert.Parameters.Add("$detail", SqliteType.Text);
        remote.Value = "127.0.0.1";
        var step = span.Ticks / Math.Max(1, count);
        const int Batch = 100_000;
        SqliteTransaction? tx = null;
        for (var i = 0; i < count; i++)
        {
            if (i % Batch == 0)
            {
                tx?.Commit();
                tx?.Dispose();
                tx = connection.BeginTransaction();
                insert.Transaction = tx;
            }
            // Skewed: a few people do most of the work.
            var a = (int)(Actors * Math.Pow(random.NextDouble(), 3));
            var kind = PickAction(random.Next(1000));
            var db = (int)(DatabaseCount * Math.Pow(random.NextDouble(), 2));
            var dbId = db switch { 0 => "hr_prod", 1 => "hr_test", _ => $"db{db}" };
            at.Value = toProvider(origin.AddTicks(i * step));
            actorId.Value = 1000 + a;
            actor.Value = $"user{a}@example.com";
            action.Value = kind;
            switch (kind)
            {
                case "query.execute":
                    var allowed = random.Next(100) < 95;
                    resource.Value = $"databases/{dbId}";
                    database.Value = dbId;
                    outcome.Value = allowed ? "allowed" : "denied";
                    var emp = 10001 + random.Next(1000);
                    detail.Value = JsonSerializer.Serialize(allowed
                        ? new { statement = $"select emp_no, first_name, last_name from employee where emp_no = {emp}", tables = EmployeeTable, rowCount = 1, truncated = false, elapsedMs = random.Next(5) }
                        : (object)new { statement = $"select * from salary where emp_no = {emp}", reason = "access-denied", denied = new[] { new { database = dbId, schema = "main", table = "salary" } }, elapsedMs = 0 }, Web);
                    break;
                case "auth.login":
                    resource.Value = "auth";
                    database.Value = DBNull.Value;
                    outcome.Value = random.Next(100) < 97 ? "success" : "failure";
                    detail.Value = "{}";
                    break;
                default:
                    var id = random.Next(1, 100_000);
                    resource.Value = kind.StartsWith("request.", StringComparison.Ordinal) ? $"access-requests/{id}" : kind.StartsWith("binding.", StringComparison.Ordinal) ? $"projects/sample/bindings/{id}" : $"users/{id}";
                    database.Value = kind.StartsWith("user.", StringComparison.Ordinal) ? DBNull.Value : dbId;
                    outcome.Value = "success";
                    detail.Value = $$"""{"id":{{id}},"project":"sample","role":"sqlEditorUser"}""";
                    break;
            }
            insert.ExecuteNonQuery();
        }
        tx?.Commit();
        tx?.Dispose();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
    }

    private static string PickAction(int perMille)
    {
        foreach (var (action, share) in Mix)
        {
            if (perMille < share) return action;
            perMille -= share;
        }
        return Mix[0].Action;
    }
}
