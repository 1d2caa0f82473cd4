using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace JitGate.Tests.Identity;

/// <summary>
/// Single sign-on set by an admin through the API, and password sign-in turned off with a break-glass admin
/// kept: the checks that stop an admin from locking everyone out, and secrets kept out of answers and encrypted at rest.
/// </summary>
public sealed class SignInSettingsTests : IAsyncLifetime
{
    private readonly JitGateApp _app = new();
    private Api _admin = null!;

    public async Task InitializeAsync() => _admin = await Api.SignupAdminAsync(_app);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> PutOidcAsync(object body) => _admin.Http.PutAsJsonAsync("/api/v1/settings/oidc", body);

    private Task<HttpResponseMessage> PutWorkspaceAsync(object body) => _admin.Http.PutAsJsonAsync("/api/v1/settings/workspace", body);

    private static async Task FieldAsync(HttpResponseMessage response, string field)
    {
        var problem = await Api.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Equal(field, problem["field"]?.GetValue<string>());
    }

    [Fact]
    public async Task An_admin_sets_the_provider_bad_fields_are_named_and_the_secret_is_never_shown()
    {
        var none = await _admin.GetOkAsync("/api/v1/settings/oidc");
        Assert.False(none["enabled"]!.GetValue<bool>());
        Assert.Equal("none", none["source"]!.GetValue<string>());

        await FieldAsync(await PutOidcAsync(new { authority = "ftp://login.example.com", clientId = "jitgate" }), "authority");
        await FieldAsync(await PutOidcAsync(new { authority = "http://login.example.com", clientId = "jitgate" }), "authority");
        await FieldAsync(await PutOidcAsync(new { authority = "https://login.example.com", clientId = "" }), "clientId");
        await FieldAsync(await PutOidcAsync(new { authority = "https://login.example.com", clientId = "jitgate", scopes = new[] { "openid email" } }), "scopes");
        await FieldAsync(await PutOidcAsync(new { authority = "https://login.example.com", clientId = "jitgate", allowedDomains = new[] { "not a domain" } }), "allowedDomains");

        var saved = await PutOidcAsync(new
        {
            authority = "https://login.example.com/realms/acme/", clientId = "jitgate", clientSecret = "s3cret-value-1",
            scopes = new[] { "profile", "email", "groups" }, groupsClaim = "roles", allowedDomains = new[] { "Example.com" },
        });
        var text = await saved.Content.ReadAsStringAsync();
        Assert.True(saved.StatusCode == HttpStatusCode.OK, text);
        Assert.DoesNotContain("s3cret-value-1", text, StringComparison.Ordinal);
        var settings = JsonNode.Parse(text)!;
        Assert.Equal("settings", settings["source"]!.GetValue<string>());
        Assert.Equal("https://login.example.com/realms/acme", settings["authority"]!.GetValue<string>());
        Assert.True(settings["clientSecretSet"]!.GetValue<bool>());
        Assert.Equal(["openid", "profile", "email", "groups"], settings["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["example.com"], settings["allowedDomains"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.DoesNotContain("s3cret-value-1", (await _admin.GetOkAsync("/api/v1/settings/oidc")).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value-1", (await _admin.GetOkAsync("/api/v1/audit?action=settings.oidc.update")).ToJsonString(), StringComparison.Ordinal);

        // At rest it is encrypted.
        await using var store = new SqliteConnection($"Data Source={Path.Combine(_app.DataDir, "jitgate.db")};Mode=ReadOnly");
        await store.OpenAsync();
        await using var read = new SqliteCommand("select group_concat(Value) from settings where Key like 'oidc%'", store);
        Assert.DoesNotContain("s3cret-value-1", (string)(await read.ExecuteScalarAsync())!, StringComparison.Ordinal);

        // A null secret keeps it; only admins may change anything.
        var kept = await PutOidcAsync(new { authority = "https://login.example.com/realms/acme", clientId = "jitgate" });
        Assert.True((await kept.Content.ReadFromJsonAsync<JsonObject>())!["clientSecretSet"]!.GetValue<bool>());
        var dba = await _admin.CreateUserAsync(_app, "dba@example.com", "workspaceDba");
        await Api.ProblemAsync(await dba.Http.PutAsJsonAsync("/api/v1/settings/oidc", new { authority = "https://evil.example.com", clientId = "x" }),
            HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Password_sign_in_off_keeps_only_the_break_glass_admin_and_cannot_lock_everyone_out()
    {
        var dev = await _admin.CreateUserAsync(_app, "dev@example.com");
        var second = await _admin.CreateUserAsync(_app, "second-admin@example.com", "workspaceAdmin");

        // Not without a provider, nor without a break-glass admin who is an admin.
        await FieldAsync(await PutWorkspaceAsync(new { passwordSignIn = false, breakGlassAdmin = "admin@example.com" }), "passwordSignIn");
        Assert.Equal(HttpStatusCode.OK, (await PutOidcAsync(new { authority = "https://login.example.com", clientId = "jitgate" })).StatusCode);
        await FieldAsync(await PutWorkspaceAsync(new { passwordSignIn = false }), "breakGlassAdmin");
        await FieldAsync(await PutWorkspaceAsync(new { passwordSignIn = false, breakGlassAdmin = "dev@example.com" }), "breakGlassAdmin");
        await FieldAsync(await PutWorkspaceAsync(new { defaultWorkspaceRole = "workspaceAdmin" }), "defaultWorkspaceRole");

        var off = await PutWorkspaceAsync(new { passwordSignIn = false, breakGlassAdmin = "Admin@example.com", signupOpen = true });
        var settings = (await off.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(settings["passwordSignIn"]!.GetValue<bool>());
        Assert.Equal("admin@example.com", settings["breakGlassAdmin"]!.GetValue<string>());

        using var anonymous = _app.CreateClient();
        foreach (var (email, password) in new[] { ("dev@example.com", "user-password-1"), ("second-admin@example.com", "user-password-1"), ("nobody@example.com", "whatever-1") })
        {
            await Api.ProblemAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password }), HttpStatusCode.Forbidden, "password-sign-in-off");
        }
        await Api.ProblemAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/signup", new { email = "new@example.com", name = "New", password = "new-password-1" }),
            HttpStatusCode.Forbidden, "password-sign-in-off");
        var breakGlass = new Api(_app.CreateClient());
        await breakGlass.LoginAsync("admin@example.com", "admin-password-1");
        // A wrong password is still wrong for the break-glass admin.
        await Api.ProblemAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = "admin@example.com", password = "not-it-123" }),
            HttpStatusCode.Unauthorized, "invalid-credentials");

        // The break-glass admin stays one while passwords are off, and single sign-on stays on.
        var me = (await second.GetOkAsync("/api/v1/users")).AsArray().Single(u => u!["email"]!.GetValue<string>() == "admin@example.com")!;
        await Api.ProblemAsync(await second.Http.PatchAsJsonAsync($"/api/v1/users/{me["id"]}", new { workspaceRole = "workspaceMember" }), HttpStatusCode.Conflict, "conflict");
        await Api.ProblemAsync(await second.Http.PatchAsJsonAsync($"/api/v1/users/{me["id"]}", new { disabled = true }), HttpStatusCode.Conflict, "conflict");
        await Api.ProblemAsync(await _admin.Http.DeleteAsync("/api/v1/settings/oidc"), HttpStatusCode.Conflict, "conflict");

        // Passwords on again: everyone's work.
        Assert.Equal(HttpStatusCode.OK, (await PutWorkspaceAsync(new { passwordSignIn = true })).StatusCode);
        await dev.LoginAsync("dev@example.com", "user-password-1");
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.Http.DeleteAsync("/api/v1/settings/oidc")).StatusCode);
    }
}
