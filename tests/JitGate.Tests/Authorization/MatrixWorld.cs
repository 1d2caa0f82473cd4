using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace JitGate.Tests.Authorization;

/// <summary>The nine callers of the authorization matrix, in the order of its columns.</summary>
public enum Who
{
    /// <summary>No credentials at all.</summary>
    Anonymous,
    /// <summary>A workspaceMember with no project role anywhere.</summary>
    Member,
    /// <summary>projectDeveloper of sample: sees the project, reads no data.</summary>
    Developer,
    /// <summary>sqlEditorUser of sample for PT8H: reads its databases.</summary>
    Editor,
    /// <summary>projectOwner of sample.</summary>
    Owner,
    /// <summary>workspaceDba, no project role.</summary>
    Dba,
    /// <summary>workspaceAdmin (the first signup), no project role.</summary>
    Admin,
    /// <summary>projectDeveloper of billing only: sample's objects must look absent (404), never forbidden (403).</summary>
    Billing,
    /// <summary>A service account's token; the account is a workspaceMember with no project role.</summary>
    Bot,
}

/// <summary>
/// One JitGate server set up for the matrix: the nine callers, a second project with its own
/// database, and one of each object a route can name. Requests that change or end something get a
/// fresh object per cell from the helpers here, so no cell depends on another.
/// </summary>
public sealed class MatrixWorld : IAsyncLifetime
{
    public const string Password = "user-password-1";
    public const string TargetEmail = "target@example.com";
    public const string SlackSecret = "matrix-signing-secret";
    public const string IncidentSecret = "matrix-incident-secret";

    private readonly Dictionary<Who, string> _tokens = [];
    private readonly Dictionary<Who, Api> _users = [];
    private Api? _target;
    private int _counter;
    private string _folder = "";

    public JitGateApp App { get; } = new(settings: new() { ["JitGate:SampleEmployees"] = "50" });

    /// <summary>Sends requests as given: no redirects followed, no cookies kept.</summary>
    public HttpClient Client { get; private set; } = null!;

    public Receiver Hooks { get; private set; } = null!;
    public Api Admin => _users[Who.Admin];
    public Api Developer => _users[Who.Developer];

    /// <summary>A user no column is: the one grants, renames and group changes are made for.</summary>
    public long TargetUserId { get; private set; }
    public long BotAccountId { get; private set; }
    public long SpareAccountId { get; private set; }
    public long GroupId { get; private set; }
    public long WebhookId { get; private set; }
    public long DeliveryId { get; private set; }
    public long PendingRequestId { get; private set; }
    public long ProjectBindingId { get; private set; }
    public long WorkspaceBindingId { get; private set; }

    /// <summary>A SQLite file outside JitGate's data folder, registered as billing's database and again by POST /instances cells.</summary>
    public string LedgerPath { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        Hooks = await Receiver.StartAsync();
        _folder = Path.Combine(Path.GetTempPath(), "jitgate-tests", "matrix-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(_folder);

        var admin = await Api.SignupAdminAsync(App);
        _users[Who.Admin] = admin;
        await admin.PostOkAsync("/api/v1/projects", new { id = "billing", title = "Billing" });
        LedgerPath = Path.Combine(_folder, "ledger.db");
        File.Copy(App.SampleDatabasePath("hr_test"), LedgerPath);
        await admin.PostOkAsync("/api/v1/instances", new { name = "Billing SQLite", engine = "sqlite", environment = "test", project = "billing", path = LedgerPath });

        _users[Who.Member] = await admin.CreateUserAsync(App, "member@example.com");
        _users[Who.Developer] = await admin.CreateUserAsync(App, "dev@example.com");
        _users[Who.Editor] = await admin.CreateUserAsync(App, "editor@example.com");
        _users[Who.Owner] = await admin.CreateUserAsync(App, "owner@example.com");
        _users[Who.Dba] = await admin.CreateUserAsync(App, "dba@example.com", "workspaceDba");
        _users[Who.Billing] = await admin.CreateUserAsync(App, "billing@example.com");
        await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        await admin.BindAsync("sample", new { principal = "user:editor@example.com", role = "sqlEditorUser", duration = "PT8H" });
        await admin.BindAsync("sample", new { principal = "user:owner@example.com", role = "projectOwner" });
        await admin.BindAsync("billing", new { principal = "user:billing@example.com", role = "projectDeveloper" });
        foreach (var (who, api) in _users) _tokens[who] = api.Http.DefaultRequestHeaders.Authorization!.Parameter!;

        var bot = await admin.PostOkAsync("/api/v1/service-accounts", new { name = "Matrix Bot" });
        BotAccountId = bot["id"]!.GetValue<long>();
        _tokens[Who.Bot] = bot["token"]!.GetValue<string>();
        SpareAccountId = (await admin.PostOkAsync("/api/v1/service-accounts", new { name = "Spare Bot" }))["id"]!.GetValue<long>();

        var target = await admin.PostOkAsync("/api/v1/users", new { email = TargetEmail, name = "Target", password = Password });
        TargetUserId = target["id"]!.GetValue<long>();
        GroupId = (await admin.PostOkAsync("/api/v1/groups", new { email = "oncall@example.com", name = "On-call", members = Array.Empty<string>() }))["id"]!.GetValue<long>();
        ProjectBindingId = await NewProjectBindingAsync();
        WorkspaceBindingId = await NewWorkspaceBindingAsync();
        PendingRequestId = await NewPendingRequestAsync();
        WebhookId = await NewWebhookAsync();
        DeliveryId = (await admin.PostOkAsync($"/api/v1/projects/sample/webhooks/{WebhookId}/test", new { }, HttpStatusCode.Accepted))["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync("/api/v1/settings/slack", new { signingSecret = SlackSecret })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync("/api/v1/projects/sample/settings",
            new { breakGlass = new { enabled = true, roles = new[] { "sqlEditorUser" }, environments = new[] { "test" }, maxDuration = "PT1H", requireIncident = false } })).StatusCode);
        _target = new Api(App.CreateClient());
        await _target.LoginAsync(TargetEmail, Password);
    }

    /// <summary>An open review of a break-glass activation by the target, a sample developer, on hr_test.</summary>
    public async Task<long> NewBreakGlassReviewAsync() =>
        (await _target!.PostOkAsync("/api/v1/projects/sample/break-glass",
            new { scope = new { databases = new[] { "hr_test" } }, duration = "PT10M", reason = "matrix" }))["review"]!["id"]!.GetValue<long>();

    public async Task DisposeAsync()
    {
        Client.Dispose();
        _target?.Http.Dispose();
        await App.DisposeAsync();
        await Hooks.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file the server still held open; the temp folder is cleaned with the rest of the test data.
        }
    }

    /// <summary>Sends as the caller: the caller's token is added unless the request already carries one.</summary>
    public async Task<(int Status, string Body)> SendAsync(Who who, HttpRequestMessage request)
    {
        if (request.Headers.Authorization is null && _tokens.TryGetValue(who, out var token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using (request)
        using (var response = await Client.SendAsync(request))
        {
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    public string Fresh(string prefix) => prefix + Interlocked.Increment(ref _counter);

    /// <summary>A token of the caller's own that the cell may end (null for the anonymous caller).</summary>
    public async Task<string?> FreshTokenAsync(Who who)
    {
        switch (who)
        {
            case Who.Anonymous:
                return null;
            case Who.Bot:
                return (await Admin.PostOkAsync($"/api/v1/service-accounts/{BotAccountId}/tokens", new { name = Fresh("t") }))["token"]!.GetValue<string>();
            default:
                var login = await Admin.PostOkAsync("/api/v1/auth/login", new { email = _users[who].Email, password = who == Who.Admin ? "admin-password-1" : Password }, HttpStatusCode.OK);
                return login["token"]!.GetValue<string>();
        }
    }

    public async Task<long> NewProjectBindingAsync() =>
        (await Admin.BindAsync("sample", new { principal = "user:" + TargetEmail, role = "projectDeveloper", reason = "matrix" }))["id"]!.GetValue<long>();

    public async Task<long> NewWorkspaceBindingAsync() =>
        (await Admin.PostOkAsync("/api/v1/workspace/bindings", new { principal = "user:" + TargetEmail, role = "projectDeveloper" }))["id"]!.GetValue<long>();

    /// <summary>
    /// A request by the developer waiting for sample's owner. It asks for the role the developer already
    /// has, so that an approval in one cell changes nothing another cell depends on.
    /// </summary>
    public async Task<long> NewPendingRequestAsync()
    {
        var request = await Developer.PostOkAsync("/api/v1/projects/sample/access-requests",
            new { role = "projectDeveloper", scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "matrix" });
        Assert.Equal("pendingApproval", request["status"]!.GetValue<string>());
        return request["id"]!.GetValue<long>();
    }

    public async Task<long> NewWebhookAsync() =>
        (await Admin.PostOkAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = Hooks.Url + "/hook", events = Array.Empty<string>() }))["id"]!.GetValue<long>();

    public async Task<long> NewAdminTokenAsync() =>
        (await Admin.PostOkAsync("/api/v1/me/tokens", new { name = Fresh("t") }))["id"]!.GetValue<long>();

    public async Task<long> NewSpareTokenAsync() =>
        (await Admin.PostOkAsync($"/api/v1/service-accounts/{SpareAccountId}/tokens", new { name = Fresh("t") }))["id"]!.GetValue<long>();

    public static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    public static HttpRequestMessage Delete(string path) => new(HttpMethod.Delete, path);

    public static HttpRequestMessage Send(HttpMethod method, string path, object? body = null) =>
        new(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Api.JsonOptions) };

    public static HttpRequestMessage Post(string path, object? body = null) => Send(HttpMethod.Post, path, body ?? new { });

    public static HttpRequestMessage Form(string path, string form) =>
        new(HttpMethod.Post, path) { Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded") };

    public static JsonNode Parse(string body) => JsonNode.Parse(body)!;
}
