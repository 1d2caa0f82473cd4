using System.Net.Http.Json;
using JitGate.BrowserTests.Infrastructure;
using JitGate.TestOidcProvider;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>
/// Single sign-on in Chromium through a real OpenID Connect provider (OpenIddict, started by the test): the
/// provider's groups claim gives a binding's access and takes it away at the next sign-in; signing out ends
/// the session; with password sign-in off only the break-glass admin's password works.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SingleSignOnTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();
    private TestOidcProvider.TestOidcProvider _provider = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _app.Start();
        _provider = await TestOidcProvider.TestOidcProvider.StartAsync(new Uri(_app.BaseAddress, "/signin-oidc").ToString());
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = Pages.Password })).EnsureSuccessStatusCode();
        _admin = await _app.ApiAsync("admin@example.com", Pages.Password);
        (await _admin.PutAsJsonAsync("/api/v1/settings/oidc", new
        {
            authority = _provider.Authority, clientId = TestOidcProvider.TestOidcProvider.ClientId, clientSecret = TestOidcProvider.TestOidcProvider.ClientSecret,
            scopes = new[] { "profile", "email", "groups" },
        })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/v1/users", new { email = "ops@example.com", name = "Ops", password = Pages.Password })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _provider.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static async Task SignInWithProviderAsync(IPage page, Person person, bool providerAsks)
    {
        await page.GotoAsync("/login");
        await page.GetByTestId("login-oidc").ClickAsync();
        if (providerAsks)
        {
            await page.Locator("#idp-username").FillAsync(person.Username);
            await page.Locator("#idp-password").FillAsync(person.Password);
            await page.Locator("#idp-submit").ClickAsync();
        }
        await page.GetByTestId("user-chip").WaitForAsync();
    }

    private static async Task QueryProdAsync(IPage page)
    {
        await Pages.OpenAsync(page, "/sql-editor?database=hr_prod");
        await Pages.SetSqlAsync(page, "select emp_no, first_name from employee order by emp_no limit 3");
        await Pages.RunWithKeyboardAsync(page);
    }

    [Fact]
    public async Task A_group_claim_gives_a_bindings_access_until_the_provider_drops_the_group_and_passwords_can_be_turned_off()
    {
        var dev = _provider.Add("dev", "dev@example.com", "Dev Eloper", "hr-readers");
        var page = await browser.NewPageAsync(_app.BaseAddress);
        try
        {
            // First sign-in through the provider: JitGate makes the user and the provider's group.
            await SignInWithProviderAsync(page, dev, providerAsks: true);
            await Expect(page.GetByTestId("user-chip")).ToContainTextAsync("dev@example.com");
            await Pages.ShotAsync(page, "sso-01-signed-in");

            // The admin grants the group (as named by the provider) read access to hr_prod.
            (await _admin.PostAsJsonAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).EnsureSuccessStatusCode();
            (await _admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new
            {
                principal = "group:hr-readers@idp.jitgate.local", role = "sqlEditorUser", duration = "PT4H", scope = new { databases = new[] { "hr_prod" } },
            })).EnsureSuccessStatusCode();
            await QueryProdAsync(page);
            await Pages.ExpectResultAsync(page, "3 rows");
            await Pages.ShotAsync(page, "sso-02-group-grants-access");

            // Signing out ends the JitGate session.
            await page.GetByTestId("user-chip").ClickAsync();
            await page.GetByTestId("logout").ClickAsync();
            await page.GetByTestId("login-submit").WaitForAsync();
            await Pages.OpenAsyncExpectingLogin(page, "/sql-editor");

            // Removed from the group at the provider: the next sign-in takes the access away.
            dev.Groups = [];
            await SignInWithProviderAsync(page, dev, providerAsks: false);
            await QueryProdAsync(page);
            await Expect(page.GetByTestId("access-denied")).ToBeVisibleAsync();
            await Pages.ShotAsync(page, "sso-03-group-removed");

            // Password sign-in off: ops's password is refused, the break-glass admin's works.
            (await _admin.PutAsJsonAsync("/api/v1/settings/workspace", new { passwordSignIn = false, breakGlassAdmin = "admin@example.com" })).EnsureSuccessStatusCode();
            var other = await browser.NewPageAsync(_app.BaseAddress);
            await other.GotoAsync("/login");
            await Expect(other.GetByTestId("login-oidc")).ToBeVisibleAsync();
            await other.Locator("#email").FillAsync("ops@example.com");
            await other.Locator("#password").FillAsync(Pages.Password);
            await other.GetByTestId("login-submit").ClickAsync();
            await Expect(other.GetByTestId("form-error")).ToContainTextAsync("break-glass");
            await Pages.ShotAsync(other, "sso-04-passwords-off");
            await Pages.LoginAsync(other, "admin@example.com");
            await Expect(other.GetByTestId("user-chip")).ToContainTextAsync("admin@example.com");
        }
        catch
        {
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
