using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;

namespace JitGate.Bench;

/// <summary>
/// A one-row SELECT on hr_prod through POST /query over loopback HTTP, against the same query made
/// directly with Microsoft.Data.Sqlite in this process. One client, sequential requests.
/// </summary>
internal static class QueryOverheadSuite
{
    private static readonly string[] ProdOnly = ["hr_prod"];
    private const string Statement = "select emp_no, first_name, last_name from employee where emp_no = 10001";

    public static async Task RunAsync(int requests)
    {
        Console.WriteLine($"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024)} GiB, {DateTime.UtcNow:yyyy-MM-dd}");
        await using var server = ServerProcess.Start();
        using var admin = await server.SignupAdminAsync(TimeSpan.FromSeconds(60));
        var grant = await admin.PostAsJsonAsync("/api/v1/projects/sample/bindings",
            new { principal = "user:admin@example.com", role = "sqlEditorUser", duration = "P1D", scope = new { databases = ProdOnly } });
        grant.EnsureSuccessStatusCode();

        var http = new List<double>();
        for (var i = 0; i < requests + 200; i++)
        {
            var sw = Stopwatch.StartNew();
            var response = await admin.PostAsJsonAsync("/api/v1/query", new { database = "hr_prod", statement = Statement });
            await response.Content.ReadAsByteArrayAsync();
            sw.Stop();
            response.EnsureSuccessStatusCode();
            if (i >= 200) http.Add(sw.Elapsed.TotalMicroseconds);
        }

        var path = Path.Combine(server.DataDir, "sample", "hr_prod.db");
        var direct = new List<double>();
        for (var i = 0; i < requests + 200; i++)
        {
            var sw = Stopwatch.StartNew();
            using (var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = Statement;
                using var reader = command.ExecuteReader();
                while (reader.Read()) _ = reader.GetValue(0);
            }
            sw.Stop();
            if (i >= 200) direct.Add(sw.Elapsed.TotalMicroseconds);
        }

        Console.WriteLine(Stats.Describe("POST /query (HTTP, JitGate)", http));
        Console.WriteLine(Stats.Describe("Microsoft.Data.Sqlite direct", direct));
        Console.WriteLine($"median ratio JitGate/direct: {Stats.Percentile(http, 0.5) / Stats.Percentile(direct, 0.5):0.0}x");
    }
}
