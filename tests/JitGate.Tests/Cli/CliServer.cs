using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Cli;

/// <summary>
/// A JitGate server process on a loopback port for the CLI to talk to (the CLI is another process, so the
/// in-memory test server will not do), with an admin, a developer and a project owner who approves, each
/// with a personal token for JITGATE_TOKEN.
/// </summary>
public sealed class CliServer : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "jitgate-cli-tests", Guid.NewGuid().ToString("n"));

    public ReplicaProcess Server { get; private set; } = null!;
    public Api Admin { get; private set; } = null!;
    public string AdminToken { get; private set; } = "";
    public string DevToken { get; private set; } = "";
    public string OwnerToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // A small sample starts sooner; the CLI's story reads a PostgreSQL database, not the sample's rows. jitgate
        // login's browser sign-in needs the console's pages, whose files build output has in Development only.
        Server = await ReplicaProcess.StartAsync("jitgate-for-cli", metadata: null, _dataDir, new Dictionary<string, string>
        {
            ["JitGate__SampleEmployees"] = "100", ["JitGate__Console"] = "true", ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });
        Admin = new Api(Server.Client());
        (await Admin.Http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = "admin-password-1" })).EnsureSuccessStatusCode();
        await Admin.LoginAsync("admin@example.com", "admin-password-1");
        AdminToken = await TokenAsync(Admin);
        foreach (var email in new[] { "dev@example.com", "owner@example.com" })
        {
            await Admin.PostOkAsync("/api/v1/users", new { email, name = email.Split('@')[0], password = "user-password-1" });
        }
        await Admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        await Admin.BindAsync("sample", new { principal = "user:owner@example.com", role = "projectOwner" });
        DevToken = await TokenAsync(await SignedInAsync("dev@example.com"));
        OwnerToken = await TokenAsync(await SignedInAsync("owner@example.com"));
    }

    public async Task<Api> SignedInAsync(string email)
    {
        var api = new Api(Server.Client());
        await api.LoginAsync(email, email == "admin@example.com" ? "admin-password-1" : "user-password-1");
        return api;
    }

    private static async Task<string> TokenAsync(Api api) =>
        (await api.PostOkAsync("/api/v1/me/tokens", new { name = "cli tests" }))["token"]!.GetValue<string>();

    public CliProcess Cli(string? token, string? traceFolder = null) => new() { Url = Server.Address, Token = token, TraceFolder = traceFolder };

    /// <summary>The (method, path template) pairs of the server's OpenAPI document, values written {}.</summary>
    public async Task<HashSet<string>> OpenApiRoutesAsync()
    {
        using var http = Server.Client();
        var document = (await http.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var routes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, _) in operations!.AsObject()) routes.Add(Normalize(method, path));
        }
        return routes;
    }

    /// <summary>"GET /api/v1/access-requests/{}": upper-case method, no trailing slash, every {value} alike.</summary>
    public static string Normalize(string method, string path) =>
        method.ToUpperInvariant() + " " + System.Text.RegularExpressions.Regex.Replace(path.TrimEnd('/'), "\\{[^}]+\\}", "{}");

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up with the temp folder.
        }
    }
}
