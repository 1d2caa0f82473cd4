using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Hardening;

/// <summary>
/// A full disk under the data folder: writes answer 503 store-unavailable with Retry-After and change
/// nothing, readiness turns unhealthy until the disk takes writes again; start-up on a read-only folder
/// says so and exits non-zero. The server runs in a mount namespace of its own with a small tmpfs as its
/// data folder, which the test fills and frees (a file system cannot be remounted read-only under a
/// store that holds its files open for writing, so the read-only case is tested at start-up).
/// </summary>
public sealed class StoreFullTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "jitgate-tests", "disk-" + Guid.NewGuid().ToString("n"));
    private string Data => Path.Combine(_root, "data");
    private string Control => Path.Combine(_root, "control");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Control);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A mount point left behind by a killed namespace goes away with it.
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A launcher: a new user and mount namespace (unshare -rm) where the data folder is a 64 MiB tmpfs, the
    /// server runs in the background, and a control file makes the shell fill, free or remount the disk.
    /// </summary>
    private string[] Launcher(bool startReadOnly = false) =>
    [
        "unshare", "-rm", "sh", "-c",
        $$"""
        set -u
        mount -t tmpfs -o size=64m tmpfs '{{Data}}' || exit 90
        {{(startReadOnly ? $"mount -o remount,ro '{Data}' || exit 91" : "")}}
        "$@" & pid=$!
        step() { while [ ! -e '{{Control}}'/$1 ]; do kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }; sleep 0.05; done; }
        step fill; dd if=/dev/zero of='{{Data}}'/filler bs=1M 2>/dev/null; touch '{{Control}}'/filled
        step free; rm -f '{{Data}}'/filler; touch '{{Control}}'/freed
        step never
        wait $pid
        """,
        "sh",
    ];

    private async Task StepAsync(string ask, string done)
    {
        await File.WriteAllTextAsync(Path.Combine(Control, ask), "");
        var waited = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(Control, done)))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"the disk step '{ask}' did not finish");
            await Task.Delay(50);
        }
    }

    private static async Task<HttpResponseMessage> GrantAsync(HttpClient http) =>
        await http.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper", reason = new string('r', 1500) });

    [Fact]
    public async Task A_full_then_read_only_disk_answers_503_changes_nothing_and_readiness_follows()
    {
        await using var server = await ReplicaProcess.StartAsync("disk", null, Data,
            new Dictionary<string, string> { ["JitGate__SampleEmployees"] = "50" }, Launcher());
        server.ExpectedErrors.Add("The store cannot be written");
        server.ExpectedErrors.Add("Health check store-writable with status Unhealthy");
        using var http = server.Client();
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = "admin-password-1" })).StatusCode);
        var login = await (await http.PostAsJsonAsync("/api/v1/auth/login", new { email = "admin@example.com", password = "admin-password-1" })).Content.ReadFromJsonAsync<JsonObject>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", login!["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/users", new { email = "dev@example.com", name = "Dev", password = "user-password-1" })).StatusCode);

        await StepAsync("fill", "filled");
        var created = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 200 && refused is null; i++)
        {
            var answer = await GrantAsync(http);
            if (answer.StatusCode == HttpStatusCode.Created) created++;
            else refused = answer;
        }
        Assert.NotNull(refused);
        var problem = await Api.ProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "store-unavailable");
        Assert.Contains("full", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter is not null, "503 without Retry-After");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
        // Nothing half-written: exactly the acknowledged grants exist.
        await StepAsync("free", "freed");
        var bindings = (await http.GetFromJsonAsync<JsonArray>("/api/v1/projects/sample/bindings"))!;
        Assert.Equal(created, bindings.Count(b => b!["principal"]!.GetValue<string>() == "user:dev@example.com"));

        await WaitReadyAsync(http);
        Assert.Equal(HttpStatusCode.Created, (await GrantAsync(http)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/projects")).StatusCode);
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        var waited = Stopwatch.StartNew();
        while ((await http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "readiness did not come back after the disk was freed");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Starting_on_a_read_only_data_folder_says_why_and_exits_non_zero()
    {
        var server = Path.Combine(AppContext.BaseDirectory, "JitGate.Server.dll");
        var info = new ProcessStartInfo(Launcher(startReadOnly: true)[0], [.. Launcher(startReadOnly: true)[1..], "dotnet", server, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["JitGate__DataDir"] = Data;
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the server kept running on a read-only data folder");

        Assert.NotEqual(0, process.ExitCode);
        var said = await errors + await output;
        Assert.Contains("cannot start", said, StringComparison.Ordinal);
        Assert.Contains("read-only", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", said, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
    }
}
