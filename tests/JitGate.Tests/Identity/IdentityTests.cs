using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Identity;

public sealed class IdentityTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_first_signup_is_the_admin_and_then_signup_closes()
    {
        var admin = await Api.SignupAdminAsync(_app);
        var me = await admin.GetOkAsync("/api/v1/me");
        Assert.Equal("workspaceAdmin", me["workspaceRole"]!.GetValue<string>());
        Assert.Equal("admin@example.com", me["email"]!.GetValue<string>());

        using var client = _app.CreateClient();
        var second = await client.PostAsJsonAsync("/api/v1/auth/signup", new { email = "late@example.com", name = "Late", password = "late-password" });
        await Api.ProblemAsync(second, HttpStatusCode.Forbidden, "signup-closed");

        var open = await admin.Http.PutAsJsonAsync("/api/v1/settings/workspace", new { signupOpen = true });
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        var third = await client.PostAsJsonAsync("/api/v1/auth/signup", new { email = "late@example.com", name = "Late", password = "late-password" });
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        Assert.Equal("workspaceMember", (await third.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["workspaceRole"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_401()
    {
        await Api.SignupAdminAsync(_app);
        using var client = _app.CreateClient();
        var unknown = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "nobody@example.com", password = "whatever-1" });
        var wrong = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "admin@example.com", password = "whatever-1" });
        var a = await Api.ProblemAsync(unknown, HttpStatusCode.Unauthorized, "invalid-credentials");
        var b = await Api.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "invalid-credentials");
        a.Remove("instance");
        b.Remove("instance");
        Assert.Equal(a.ToJsonString(), b.ToJsonString());
    }

    [Fact]
    public async Task Tokens_and_passwords_are_stored_only_as_hashes_and_tokens_expire()
    {
        var admin = await Api.SignupAdminAsync(_app);
        var token = admin.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        var bytes = await ReadAllSharedAsync(Path.Combine(_app.DataDir, "jitgate.db"));
        var text = System.Text.Encoding.UTF8.GetString(bytes) + System.Text.Encoding.UTF8.GetString(await ReadAllSharedAsync(Path.Combine(_app.DataDir, "jitgate.db-wal")));
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("admin-password-1", text, StringComparison.Ordinal);

        _app.Clock.Advance(TimeSpan.FromHours(12));
        await Api.ProblemAsync(await admin.Http.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Logout_revokes_the_token_at_once()
    {
        var admin = await Api.SignupAdminAsync(_app);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await Api.ProblemAsync(await admin.Http.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited()
    {
        await using var app = new JitGateApp(settings: new() { ["JitGate:LoginAttemptsPerMinute"] = "5" });
        await Api.SignupAdminAsync(app);
        using var client = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "admin@example.com", password = "guess-" + i })).StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        var limited = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "admin@example.com", password = "admin-password-1" });
        await Api.ProblemAsync(limited, HttpStatusCode.TooManyRequests, "too-many-attempts");
    }

    [Fact]
    public async Task Bad_signup_input_is_400_and_creates_nobody()
    {
        using var client = _app.CreateClient();
        foreach (var body in new object[]
        {
            new { email = "not-an-email", name = "X", password = "long-enough" },
            new { email = "a@example.com", name = "", password = "long-enough" },
            new { email = "a@example.com", name = "X", password = "short" },
        })
        {
            await Api.ProblemAsync(await client.PostAsJsonAsync("/api/v1/auth/signup", body), HttpStatusCode.BadRequest, "validation");
        }
        // Nobody was created, so the next signup is still the first: the admin.
        var admin = await Api.SignupAdminAsync(_app);
        Assert.Equal("workspaceAdmin", (await admin.GetOkAsync("/api/v1/me"))["workspaceRole"]!.GetValue<string>());
    }

    private static async Task<byte[]> ReadAllSharedAsync(string path)
    {
        if (!File.Exists(path)) return [];
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }
}
