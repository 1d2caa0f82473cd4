using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using JitGate.TestOidcProvider;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Identity;

/// <summary>The test provider, one for the class; each test names its own people.</summary>
public sealed class ProviderFixture : IAsyncLifetime
{
    public TestOidcProvider.TestOidcProvider Provider { get; private set; } = null!;

    public async Task InitializeAsync() => Provider = await TestOidcProvider.TestOidcProvider.StartAsync("http://localhost/signin-oidc");

    public async Task DisposeAsync() => await Provider.DisposeAsync();
}

/// <summary>
/// Single sign-on against a real OpenID Connect provider (OpenIddict, started by the test), configured by
/// the server's configuration: users made at first sign-in, groups from the token, disabled users, domains
/// and subjects.
/// </summary>
public sealed class OidcSignInTests(ProviderFixture fixture) : IClassFixture<ProviderFixture>, IAsyncLifetime
{
    private readonly TestOidcProvider.TestOidcProvider _provider = fixture.Provider;
    private JitGateApp _app = null!;
    private Api _admin = null!;

    public async Task InitializeAsync()
    {
        _app = new JitGateApp(settings: new()
        {
            ["JitGate:Oidc:Authority"] = _provider.Authority,
            ["JitGate:Oidc:ClientId"] = TestOidcProvider.TestOidcProvider.ClientId,
            ["JitGate:Oidc:ClientSecret"] = TestOidcProvider.TestOidcProvider.ClientSecret,
            ["JitGate:Oidc:Scopes"] = "openid profile email groups",
            ["JitGate:Oidc:AllowedDomains"] = "example.com, example.org",
        });
        _admin = await Api.SignupAdminAsync(_app);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():n}"[..(name.Length + 9)];

    private OidcBrowser Browser()
    {
        var browser = new OidcBrowser(_app, _provider);
        // Cookie calls to the API come from JitGate's own pages, which say so.
        browser.JitGate.DefaultRequestHeaders.Add("X-JitGate-Csrf", "1");
        browser.JitGate.DefaultRequestHeaders.Add("Sec-Fetch-Site", "same-origin");
        return browser;
    }

    private async Task<JsonObject?> GroupAsync(string email) =>
        (await _admin.GetOkAsync("/api/v1/groups")).AsArray().Select(g => g!.AsObject()).SingleOrDefault(g => g["email"]!.GetValue<string>() == email);

    [Fact]
    public async Task The_first_sign_in_makes_the_user_and_the_groups_claim_gives_and_takes_a_bindings_access()
    {
        var group = Unique("hr-readers");
        var person = _provider.Add(Unique("dev"), "dev@example.com", "Dev Eloper", group);
        using var browser = Browser();

        var landed = await browser.SignInAsync(person);
        Assert.Equal("/sql-editor", landed.AbsolutePath);
        var me = await browser.JitGate.GetFromJsonAsync<JsonObject>("/api/v1/me");
        Assert.Equal("dev@example.com", me!["email"]!.GetValue<string>());
        Assert.Equal("Dev Eloper", me["name"]!.GetValue<string>());
        Assert.Equal("workspaceMember", me["workspaceRole"]!.GetValue<string>());

        // The provider's group exists in JitGate now, with the user in it; an admin binds it.
        var idpGroup = await GroupAsync($"{group}@idp.jitgate.local");
        Assert.NotNull(idpGroup);
        Assert.Equal(group, idpGroup["externalId"]!.GetValue<string>());
        Assert.Equal(["dev@example.com"], idpGroup["members"]!.AsArray().Select(m => m!.GetValue<string>()));
        await _admin.BindAsync("sample", new
        {
            principal = $"group:{group}@idp.jitgate.local", role = "sqlEditorUser", duration = "PT4H", scope = new { databases = new[] { "hr_prod" } },
        });
        await _admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "projectDeveloper" });
        // A group made in JitGate, which sign-ins leave alone.
        var oncall = await _admin.PostOkAsync("/api/v1/groups", new { email = "oncall@example.com", name = "On-call", members = new[] { "dev@example.com" } });

        var query = await browser.JitGate.PostAsJsonAsync("/api/v1/query", new { database = "hr_prod", statement = "select count(*) from employee" });
        Assert.True(query.StatusCode == HttpStatusCode.OK, await query.Content.ReadAsStringAsync());

        // Its members are the provider's to say.
        var edit = await _admin.Http.PutAsJsonAsync($"/api/v1/groups/{idpGroup["id"]}/members", new[] { "admin@example.com" });
        await Api.ProblemAsync(edit, HttpStatusCode.Conflict, "conflict");

        // Removed from the group at the provider: gone at the next sign-in, the JitGate group kept.
        person.Groups = [];
        Assert.Equal("/sql-editor", (await browser.SignInAsync(person)).AbsolutePath);
        var denied = await browser.JitGate.PostAsJsonAsync("/api/v1/query", new { database = "hr_prod", statement = "select count(*) from employee" });
        await Api.ProblemAsync(denied, HttpStatusCode.Forbidden, "access-denied");
        Assert.Empty((await GroupAsync($"{group}@idp.jitgate.local"))!["members"]!.AsArray());
        Assert.Equal(["dev@example.com"], (await GroupAsync("oncall@example.com"))!["members"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(oncall["id"]!.GetValue<long>(), (await GroupAsync("oncall@example.com"))!["id"]!.GetValue<long>());

        var logins = (await _admin.GetOkAsync("/api/v1/audit?actor=dev@example.com&action=auth.login")).AsArray();
        Assert.Equal(2, logins.Count);
        Assert.All(logins, l => Assert.Equal("oidc", l!["detail"]!["method"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_user_disabled_by_an_admin_signs_in_neither_through_the_provider_nor_with_a_password()
    {
        var person = _provider.Add(Unique("ops"), "ops@example.org", "Ops");
        using var browser = Browser();
        Assert.Equal("/sql-editor", (await browser.SignInAsync(person)).AbsolutePath);
        var id = (await browser.JitGate.GetFromJsonAsync<JsonObject>("/api/v1/me"))!["id"]!.GetValue<long>();
        var password = await _admin.CreateUserAsync(_app, "pw@example.com");

        foreach (var user in new[] { id, (await _admin.GetOkAsync("/api/v1/users")).AsArray().Single(u => u!["email"]!.GetValue<string>() == "pw@example.com")!["id"]!.GetValue<long>() })
        {
            var disabled = await _admin.Http.PatchAsJsonAsync($"/api/v1/users/{user}", new { disabled = true });
            Assert.True((await disabled.Content.ReadFromJsonAsync<JsonObject>())!["disabled"]!.GetValue<bool>());
        }

        // The open session and the token end at once.
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.JitGate.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await password.Http.GetAsync("/api/v1/me")).StatusCode);
        var refused = await browser.SignInAsync(person);
        Assert.Equal("/login", refused.AbsolutePath);
        Assert.Contains("e=", refused.Query, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.JitGate.GetAsync("/api/v1/me")).StatusCode);
        await Api.ProblemAsync(await new Api(_app.CreateClient()).PostAsync("/api/v1/auth/login", new { email = "pw@example.com", password = "user-password-1" }),
            HttpStatusCode.Forbidden, "account-disabled");
        var failures = (await _admin.GetOkAsync("/api/v1/audit?actor=ops@example.org&action=auth.login")).AsArray();
        Assert.Contains(failures, f => f!["outcome"]!.GetValue<string>() == "failure" && f["detail"]!["reason"]!.GetValue<string>() == "disabled");

        // Enabled again, they are back.
        await _admin.Http.PatchAsJsonAsync($"/api/v1/users/{id}", new { disabled = false });
        Assert.Equal("/sql-editor", (await browser.SignInAsync(person)).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await browser.JitGate.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Other_domains_unverified_e_mails_and_a_reassigned_e_mail_are_refused()
    {
        using var browser = Browser();
        var outsider = _provider.Add(Unique("out"), "someone@elsewhere.net", "Outsider");
        Assert.Equal("/login", (await browser.SignInAsync(outsider)).AbsolutePath);
        await browser.SignOutAtProviderAsync();

        var unverified = _provider.Add(Unique("unv"), "unverified@example.com", "Unverified");
        unverified.EmailVerified = false;
        Assert.Equal("/login", (await browser.SignInAsync(unverified)).AbsolutePath);
        await browser.SignOutAtProviderAsync();

        var first = _provider.Add(Unique("first"), "same@example.com", "First");
        Assert.Equal("/sql-editor", (await browser.SignInAsync(first)).AbsolutePath);
        await browser.SignOutAtProviderAsync();
        // The provider hands the address to someone else (another subject): not the same person.
        var second = _provider.Add(Unique("second"), "same@example.com", "Second");
        using var other = Browser();
        Assert.Equal("/login", (await other.SignInAsync(second)).AbsolutePath);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.JitGate.GetAsync("/api/v1/me")).StatusCode);

        var users = (await _admin.GetOkAsync("/api/v1/users")).AsArray().Select(u => u!["email"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain("someone@elsewhere.net", users);
        Assert.DoesNotContain("unverified@example.com", users);
        Assert.Single(users, "same@example.com");
    }

    [Fact]
    public async Task Settings_from_configuration_are_shown_without_the_secret_and_cannot_be_changed_through_the_api()
    {
        var response = await _admin.Http.GetAsync("/api/v1/settings/oidc");
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(TestOidcProvider.TestOidcProvider.ClientSecret, text, StringComparison.Ordinal);
        var settings = JsonNode.Parse(text)!;
        Assert.Equal("configuration", settings["source"]!.GetValue<string>());
        Assert.True(settings["clientSecretSet"]!.GetValue<bool>());
        Assert.Equal(["openid", "profile", "email", "groups"], settings["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.EndsWith("/signin-oidc", settings["redirectUri"]!.GetValue<string>(), StringComparison.Ordinal);
        var put = await _admin.Http.PutAsJsonAsync("/api/v1/settings/oidc", new { authority = "https://login.example.com", clientId = "x" });
        await Api.ProblemAsync(put, HttpStatusCode.Conflict, "oidc-configured-by-server");
    }
}
