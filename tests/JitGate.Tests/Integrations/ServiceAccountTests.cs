using System.Net;
using System.Net.Http.Headers;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Integrations;

public sealed class ServiceAccountTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync() => _admin = await Api.SignupAdminAsync(_app);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_service_account_token_lists_and_approves_requests_and_a_revoked_token_is_401()
    {
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        var account = await _admin.PostOkAsync("/api/v1/service-accounts", new { name = "Approver Bot", workspaceRole = "workspaceMember" });
        var token = account["token"]!.GetValue<string>();
        var email = account["email"]!.GetValue<string>();
        await _admin.BindAsync("sample", new { principal = $"user:{email}", role = "projectOwner" });
        Assert.DoesNotContain(token, (await _admin.GetOkAsync("/api/v1/service-accounts")).ToJsonString(), StringComparison.Ordinal);

        var bot = new Api(_app.CreateClient());
        bot.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var request = await dev.PostOkAsync("/api/v1/projects/sample/access-requests", new { scope = new { databases = new[] { "hr_test" } }, duration = "PT1H", reason = "debug" });
        Assert.Single((await bot.GetOkAsync("/api/v1/access-requests?filter=waitingForMe")).AsArray());
        var approved = await bot.PostOkAsync($"/api/v1/access-requests/{request["id"]}/approve", new { }, HttpStatusCode.OK);
        Assert.Equal(email, approved["approvalSteps"]![0]!["by"]!.GetValue<string>());

        var uses = (await _admin.GetOkAsync($"/api/v1/audit?actor={Uri.EscapeDataString(email)}&action=token.use")).AsArray();
        Assert.Equal(2, uses.Count);
        var listed = (await _admin.GetOkAsync("/api/v1/service-accounts")).AsArray()[0]!;
        Assert.NotNull(listed["tokens"]![0]!["lastUsedAt"]);

        var tokenId = listed["tokens"]![0]!["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/service-accounts/{listed["id"]}/tokens/{tokenId}")).StatusCode);
        await Api.ProblemAsync(await bot.Http.GetAsync("/api/v1/access-requests"), HttpStatusCode.Unauthorized, "unauthenticated");

        using var login = _app.CreateClient();
        var response = await login.PostAsync("/api/v1/auth/login", System.Net.Http.Json.JsonContent.Create(new { email, password = "" }));
        await Api.ProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-credentials");
    }

    [Fact]
    public async Task Personal_tokens_are_shown_once_expire_and_can_be_revoked()
    {
        var created = await _admin.PostOkAsync("/api/v1/me/tokens", new { name = "ci", duration = "P7D" });
        var pat = new Api(_app.CreateClient());
        pat.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created["token"]!.GetValue<string>());
        Assert.Equal("admin@example.com", (await pat.GetOkAsync("/api/v1/me"))["email"]!.GetValue<string>());
        Assert.DoesNotContain(created["token"]!.GetValue<string>(), (await _admin.GetOkAsync("/api/v1/me/tokens")).ToJsonString(), StringComparison.Ordinal);
        await Api.ProblemAsync(await _admin.PostAsync("/api/v1/me/tokens", new { name = "forever", duration = "P10Y" }), HttpStatusCode.BadRequest, "validation");

        _app.Clock.Advance(TimeSpan.FromDays(7));
        await Api.ProblemAsync(await pat.Http.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
        await _admin.LoginAsync("admin@example.com", "admin-password-1");
        var second = await _admin.PostOkAsync("/api/v1/me/tokens", new { name = "ci2" });
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync($"/api/v1/me/tokens/{second["id"]}")).StatusCode);
        pat.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", second["token"]!.GetValue<string>());
        await Api.ProblemAsync(await pat.Http.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Only_admins_create_service_accounts()
    {
        var member = await _admin.CreateUserAsync(_app, "member@example.com");
        await Api.ProblemAsync(await member.PostAsync("/api/v1/service-accounts", new { name = "sneaky" }), HttpStatusCode.Forbidden, "forbidden");
    }
}
