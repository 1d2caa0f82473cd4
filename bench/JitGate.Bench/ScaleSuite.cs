using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace JitGate.Bench;

/// <summary>
/// A large workspace: 1,000 databases in 20 projects, 10,000 users and 100,000 live bindings, written into
/// the metadata store of a stopped server, then the server started on it. Measures what grows with the
/// workspace: the first decision after a change (the policy snapshot's rebuild), the database list and a
/// database's tables, and the time from a grant's answer until the grantee's next query succeeds, during a
/// burst of grants (each followed by its revoke, so every grant is a real change of access).
/// </summary>
internal static class ScaleSuite
{
    private const int ProjectCount = 20;
    private const int TablesPerDatabase = 5;
    private const string QuerierPassword = "querier-password-1";
    private const string Statement = "select emp_no from employee where emp_no = 10001";

    public static async Task RunAsync(BenchArgs args)
    {
        var databases = args.Int("databases", 1000);
        var users = args.Int("users", 10_000);
        var bindings = args.Int("bindings", 100_000);
        var queriers = args.Int("queriers", 10);
        var rate = args.Double("rate", 100);
        var burst = TimeSpan.FromSeconds(args.Double("burst-seconds", 10));
        var calls = args.Int("calls", 50);
        Machine.Print();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scale: {databases:N0} databases in {ProjectCount} projects, {users:N0} users, {bindings:N0} bindings; burst of {rate:0} grants/s for {burst.TotalSeconds:0} s over {queriers} grantees"));

        var dataDir = Path.Combine(Path.GetTempPath(), "jitgate-bench", Guid.NewGuid().ToString("n"));
        try
        {
            await using (var first = ServerProcess.Start(dataDir))
            {
                using var admin = await first.SignupAdminAsync(TimeSpan.FromSeconds(60));
                for (var q = 0; q < queriers; q++)
                {
                    await Http.ExpectAsync(admin.PostAsJsonAsync("/api/v1/users", new { email = Querier(q), name = $"Querier {q}", password = QuerierPassword }));
                    // Membership of sample, no access to any table: the burst's grants are the only access.
                    await Http.ExpectAsync(admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = $"user:{Querier(q)}", role = "projectDeveloper" }));
                }
                await first.StopAsync(TimeSpan.FromSeconds(20));
            }

            var clock = Stopwatch.StartNew();
            var path = Path.Combine(dataDir, "jitgate.db");
            Seed(path, databases, users, bindings);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote the workspace into {Path.GetFileName(path)} in {clock.Elapsed.TotalSeconds:0.0} s; file {ProcStatus.Mib(new FileInfo(path).Length)}"));

            // Ten grantees sign in from one address, over the default sign-in limit.
            await using var server = ServerProcess.Start(dataDir, new Dictionary<string, string> { ["JitGate__LoginAttemptsPerMinute"] = "1000" });
            using var admin2 = await server.LoginAsync(ServerProcess.AdminEmail, ServerProcess.AdminPassword, TimeSpan.FromSeconds(60));
            var clients = new HttpClient[queriers];
            for (var q = 0; q < queriers; q++)
            {
                clients[q] = server.NewClient();
                await ServerProcess.AuthorizeAsync(clients[q], Querier(q), QuerierPassword);
            }
            var body = Http.Body(new { database = "hr_prod", statement = Statement });

            // A grant answers after the policy snapshot has taken it in (the engine reconcile reads it), so
            // the grant's and the revoke's own latency carry the snapshot's update; the query right after
            // shows it in effect.
            var grants = new List<double>();
            var revokes = new List<double>();
            var after = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var grant = await CreateGrantAsync(admin2, 0);
                grants.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                started = Stopwatch.GetTimestamp();
                await Http.PostAsync(clients[0], "/api/v1/query", body);
                after.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                started = Stopwatch.GetTimestamp();
                await Http.ExpectAsync(admin2.DeleteAsync($"/api/v1/projects/sample/bindings/{grant}"));
                revokes.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
            Console.WriteLine(LoadResult.Header("operation"));
            Console.WriteLine(Row("POST /bindings (grant), one at a time", grants));
            Console.WriteLine(Row("grantee's POST /query right after", after));
            Console.WriteLine(Row("DELETE /bindings/{id} (revoke)", revokes));

            var some = Database(databases / 2);
            foreach (var (name, client, url) in new (string, HttpClient, string)[]
            {
                ($"GET /databases as admin ({databases:N0} + samples)", admin2, "/api/v1/databases"),
                ("GET /databases as a project member", clients[0], "/api/v1/databases"),
                ("GET /databases?project=p05", admin2, "/api/v1/databases?project=p05"),
                ($"GET /databases/{some}/tables", admin2, $"/api/v1/databases/{some}/tables"),
            })
            {
                var bytes = 0;
                var run = await LoadDriver.RunAsync(name, 1, calls, TimeSpan.FromSeconds(60), 3, async _ => bytes = await Http.GetAsync(client, url));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Row()}  {bytes:N0} bytes{(run.P95 <= 100_000 ? "" : "  (p95 over 100 ms)")}"));
            }

            // The burst: each grantee in turn is granted hr_prod.employee, queries until the query is allowed,
            // and is revoked; grants start on a fixed schedule (open loop), rate/queriers a second per grantee.
            var visible = new List<double>();
            var burstGrants = new List<double>();
            var lateStarts = 0;
            var total = (int)(rate * burst.TotalSeconds);
            var interval = TimeSpan.FromSeconds(1 / rate);
            var burstClock = Stopwatch.StartNew();
            var burstRun = Task.WhenAll(Enumerable.Range(0, queriers).Select(q => Task.Run(async () =>
            {
                for (var n = q; n < total; n += queriers)
                {
                    var due = interval * n;
                    var wait = due - burstClock.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait);
                    else if (wait < -interval) Interlocked.Increment(ref lateStarts);
                    var asked = Stopwatch.GetTimestamp();
                    var grant = await CreateGrantAsync(admin2, q);
                    var answered = Stopwatch.GetTimestamp();
                    lock (burstGrants) burstGrants.Add(Stopwatch.GetElapsedTime(asked, answered).TotalMicroseconds);
                    while (true)
                    {
                        using var content = new ByteArrayContent(body);
                        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                        using var response = await clients[q].PostAsync("/api/v1/query", content);
                        if (response.IsSuccessStatusCode) break;
                        if (response.StatusCode != HttpStatusCode.Forbidden)
                        {
                            throw new InvalidOperationException($"query answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    var seen = Stopwatch.GetElapsedTime(answered).TotalMicroseconds;
                    lock (visible) visible.Add(seen);
                    await Http.ExpectAsync(admin2.DeleteAsync($"/api/v1/projects/sample/bindings/{grant}"));
                }
            })));
            // A workspace that cannot keep up shows as a burst that does not end; give it ten times its length.
            if (await Task.WhenAny(burstRun, Task.Delay(burst * 10 + TimeSpan.FromSeconds(30))) != burstRun)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"burst did NOT finish in {(burst * 10 + TimeSpan.FromSeconds(30)).TotalSeconds:0} s: {visible.Count} of {total} grants seen by their grantee's query"));
                Environment.Exit(1);
            }
            await burstRun;
            var elapsed = burstClock.Elapsed;
            visible.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{new LoadResult($"grant answered -> grantee's query allowed", queriers, visible, elapsed, false).Row()}  p95 target <= 50 ms: {(Stats.Percentile(visible, 0.95) <= 50_000 ? "met" : "MISSED")}"));
            Console.WriteLine(Row("  POST /bindings (grant) during the burst", burstGrants));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"burst: {total} grants and {total} revokes in {elapsed.TotalSeconds:0.0} s ({total / elapsed.TotalSeconds:0} grants/s achieved, {lateStarts} started over one interval late)"));
            Console.WriteLine($"server VmRSS after the burst: {ProcStatus.Mib(server.ReadStatusBytes("VmRSS"))}");
            foreach (var client in clients) client.Dispose();
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    private static string Querier(int q) => $"querier{q}@example.com";

    private static string Database(int d) => $"scale_{d:D4}";

    private static string Row(string name, List<double> latencies)
    {
        latencies.Sort();
        return string.Create(CultureInfo.InvariantCulture,
            $"{name,-42} {1,7} {latencies.Count,7} {Stats.Percentile(latencies, 0.5) / 1000,10:0.000} {Stats.Percentile(latencies, 0.95) / 1000,9:0.000} {Stats.Percentile(latencies, 0.99) / 1000,9:0.000}");
    }

    private static async Task<long> CreateGrantAsync(HttpClient admin, int querier)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new
        {
            principal = $"user:{Querier(querier)}",
            role = "sqlEditorUser",
            duration = "PT1H",
            scope = new { tables = new[] { new { database = "hr_prod", table = "employee" } } },
        });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"grant answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!["id"]!.GetValue<long>();
    }

    /// <summary>
    /// Databases on the prod SQLite instance (metadata only; none is queried), each with a few tables;
    /// users; and bindings, a third each scoped to a database, to two tables, and to the whole project,
    /// expiring 1 to 48 hours from now.
    /// </summary>
    private static void Seed(string path, int databaseCount, int userCount, int bindingCount)
    {
        var toProvider = new DateTimeOffsetToBinaryConverter().ConvertToProviderExpression.Compile();
        var now = DateTimeOffset.UtcNow;
        var random = new Random(7);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var tx = connection.BeginTransaction();
        void Run(string sql, params (string Name, object? Value)[] values)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            foreach (var (name, value) in values) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            command.ExecuteNonQuery();
        }

        for (var p = 0; p < ProjectCount; p++)
        {
            Run("INSERT INTO projects (Id, Title, AllowSelfApproval, CreatedAt) VALUES ($id, $title, 0, $at)",
                ("$id", $"p{p:D2}"), ("$title", $"Project {p:D2}"), ("$at", toProvider(now)));
        }
        for (var d = 0; d < databaseCount; d++)
        {
            Run("INSERT INTO databases (Id, Name, InstanceId, ProjectId, EnvironmentId, SyncedAt) VALUES ($id, $id, 'prod-sqlite', $project, $env, $at)",
                ("$id", Database(d)), ("$project", $"p{d % ProjectCount:D2}"), ("$env", d % 2 == 0 ? "prod" : "test"), ("$at", toProvider(now)));
            for (var t = 0; t < TablesPerDatabase; t++)
            {
                Run("INSERT INTO database_tables (DatabaseId, Schema, Name, Kind, ColumnsJson) VALUES ($db, 'main', $name, 'table', $columns)",
                    ("$db", Database(d)), ("$name", $"table_{t}"),
                    ("$columns", """[{"name":"id","type":"INTEGER"},{"name":"name","type":"TEXT"},{"name":"created_at","type":"TEXT"}]"""));
            }
        }
        var firstUser = 1_000_000L;
        for (var u = 0; u < userCount; u++)
        {
            Run("INSERT INTO users (Id, Email, Name, PasswordHash, WorkspaceRole, CreatedAt) VALUES ($id, $email, $name, 'not-a-hash', 'workspaceMember', $at)",
                ("$id", firstUser + u), ("$email", $"user{u}@scale.example"), ("$name", $"User {u}"), ("$at", toProvider(now)));
        }
        for (var b = 0; b < bindingCount; b++)
        {
            var d = random.Next(databaseCount);
            var scope = (b % 3) switch
            {
                0 => $$"""{"databases":["{{Database(d)}}"]}""",
                1 => $$"""{"tables":[{"database":"{{Database(d)}}","schema":"main","table":"table_0"},{"database":"{{Database(d)}}","schema":"main","table":"table_1"}]}""",
                _ => null,
            };
            Run("""
                INSERT INTO bindings (ProjectId, PrincipalType, PrincipalId, Role, ScopeJson, ExpiresAt, Source, CreatedBy, CreatedAt, BreakGlass)
                VALUES ($project, 'user', $user, $role, $scope, $expires, 'manual', 1, $at, 0)
                """,
                ("$project", $"p{d % ProjectCount:D2}"), ("$user", firstUser + random.Next(userCount)),
                ("$role", scope is null ? "projectDeveloper" : "sqlEditorUser"), ("$scope", scope),
                ("$expires", toProvider(now.AddMinutes(60 + random.Next(47 * 60)))), ("$at", toProvider(now)));
        }
        tx.Commit();
    }
}
