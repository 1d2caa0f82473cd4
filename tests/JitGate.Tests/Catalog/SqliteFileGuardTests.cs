using System.Diagnostics;
using System.Net;
using System.Text;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Catalog;

/// <summary>
/// JitGate's own files can never become a database to read, whatever the spelling of the path; nor can
/// devices, kernel files or anything outside the folders an administrator allows.
/// </summary>
public sealed class SqliteFileGuardTests : IAsyncLifetime
{
    private readonly string _outside = Path.Combine(Path.GetTempPath(), "jitgate-tests", "outside-" + Guid.NewGuid().ToString("n"));
    private JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_outside);
        _admin = await Api.SignupAdminAsync(_app);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_outside, recursive: true);
    }

    private static Task<HttpResponseMessage> RegisterAsync(Api admin, string path) =>
        admin.Http.PostAsync("/api/v1/instances", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { name = "file " + Guid.NewGuid().ToString("n")[..8], engine = "sqlite", environment = "test", path }),
            Encoding.UTF8, "application/json"));

    private string Store => Path.Combine(Path.GetFullPath(_app.DataDir), "jitgate.db");

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }

    [Fact]
    public async Task Every_spelling_of_the_metadata_store_is_refused()
    {
        var symlink = Path.Combine(_outside, "symlink.db");
        File.CreateSymbolicLink(symlink, Store);
        var hardlink = Path.Combine(_outside, "hardlink.db");
        Run("ln", Store, hardlink);
        var dataDir = Path.GetFullPath(_app.DataDir);
        var keys = Directory.GetFiles(Path.Combine(dataDir, "keys")).First();

        foreach (var path in new[]
        {
            Store,
            "/proc/self/root" + Store,
            "/proc/" + Environment.ProcessId + "/root" + Store,
            Path.Combine(dataDir, "sample", "..", "jitgate.db"),
            dataDir + "//jitgate.db",
            symlink,
            hardlink,
            keys,
        })
        {
            var problem = await Api.ProblemAsync(await RegisterAsync(_admin, path), HttpStatusCode.BadRequest, "validation");
            Assert.Equal("path", problem["field"]!.GetValue<string>());
        }

        // The refusal says nothing of what the file holds; the generated sample stays registrable.
        var sample = await RegisterAsync(_admin, _app.SampleDatabasePath("hr_test"));
        Assert.Equal(HttpStatusCode.Created, sample.StatusCode);
    }

    [Theory]
    [InlineData("/dev/zero", "validation")]
    [InlineData("/dev/null", "validation")]
    [InlineData("/proc/self/environ", "validation")]
    [InlineData("/sys/kernel/mm/transparent_hugepage/enabled", "validation")]
    [InlineData("/etc", "validation")]
    [InlineData("/no/such/file.db", "validation")]
    [InlineData("relative/nowhere.db", "validation")]
    [InlineData("/tmp/\u0000.db", "invalid-text")]
    [InlineData("", "validation")]
    public async Task Devices_kernel_files_folders_and_missing_files_are_refused(string path, string type)
    {
        var problem = await Api.ProblemAsync(await RegisterAsync(_admin, path), HttpStatusCode.BadRequest, type);
        Assert.Equal("path", problem["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_roots_configured_only_files_under_them_are_accepted()
    {
        var allowed = Path.Combine(_outside, "allowed");
        Directory.CreateDirectory(allowed);
        File.Copy(_app.SampleDatabasePath("hr_test"), Path.Combine(allowed, "ok.db"));
        File.Copy(_app.SampleDatabasePath("hr_test"), Path.Combine(_outside, "elsewhere.db"));
        await _app.DisposeAsync();
        _app = new JitGateApp(_app.DataDir, _app.Clock, new() { ["JitGate:SqliteRoots:0"] = allowed });
        var admin = new Api(_app.CreateClient());
        await admin.LoginAsync("admin@example.com", "admin-password-1");

        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(admin, Path.Combine(allowed, "ok.db"))).StatusCode);
        var problem = await Api.ProblemAsync(await RegisterAsync(admin, Path.Combine(_outside, "elsewhere.db")), HttpStatusCode.BadRequest, "validation");
        Assert.Contains("SqliteRoots", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await Api.ProblemAsync(await RegisterAsync(admin, Path.Combine(allowed, "..", "elsewhere.db")), HttpStatusCode.BadRequest, "validation");
        File.CreateSymbolicLink(Path.Combine(allowed, "escape.db"), Path.Combine(_outside, "elsewhere.db"));
        await Api.ProblemAsync(await RegisterAsync(admin, Path.Combine(allowed, "escape.db")), HttpStatusCode.BadRequest, "validation");
    }
}
