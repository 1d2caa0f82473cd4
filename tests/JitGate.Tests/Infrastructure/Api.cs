using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JitGate.Tests.Infrastructure;

/// <summary>An HTTP client for one signed-in user, with the few calls most tests share.</summary>
public sealed class Api(HttpClient http)
{
    public HttpClient Http { get; } = http;
    public string Email { get; private set; } = "";

    public static async Task<Api> SignupAdminAsync(JitGateApp app, string email = "admin@example.com")
    {
        var api = new Api(app.CreateClient());
        var signup = await api.Http.PostAsJsonAsync("/api/v1/auth/signup", new { email, name = "Admin", password = "admin-password-1" });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        await api.LoginAsync(email, "admin-password-1");
        return api;
    }

    public async Task<Api> CreateUserAsync(JitGateApp app, string email, string role = "workspaceMember")
    {
        var created = await Http.PostAsJsonAsync("/api/v1/users", new { email, name = email.Split('@')[0], password = "user-password-1", workspaceRole = role });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var api = new Api(app.CreateClient());
        await api.LoginAsync(email, "user-password-1");
        return api;
    }

    public async Task LoginAsync(string email, string password)
    {
        var login = await Http.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.Content.ReadFromJsonAsync<JsonObject>();
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body!["token"]!.GetValue<string>());
        Email = email;
    }

    public Task<HttpResponseMessage> PostAsync(string url, object body) => Http.PostAsJsonAsync(url, body);

    public async Task<JsonNode> PostOkAsync(string url, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await Http.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<JsonNode> GetOkAsync(string url)
    {
        var response = await Http.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public Task<HttpResponseMessage> QueryAsync(string database, string statement, int? maxRows = null) =>
        Http.PostAsJsonAsync("/api/v1/query", new { database, statement, maxRows });

    public Task<JsonNode> BindAsync(string project, object body) => PostOkAsync($"/api/v1/projects/{project}/bindings", body);

    /// <summary>Reads a problem+json answer and checks its status and type suffix.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string typeSuffix)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {typeSuffix}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.EndsWith(typeSuffix, problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()), "problem has no detail");
        return problem;
    }

    public static List<string> DeniedTables(JsonObject problem) =>
        problem["deniedResources"]!.AsArray().Select(r => r!["table"]!.GetValue<string>()).ToList();

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
