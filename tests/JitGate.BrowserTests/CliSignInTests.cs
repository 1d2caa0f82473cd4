using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using JitGate.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace JitGate.BrowserTests;

/// <summary>
/// <c>jitgate login</c> in Chromium: the built CLI prints the console's sign-in address, the person signs in
/// there through the identity provider (OpenIddict, started by the test), approves the command line, and the
/// browser carries the code to the CLI's loopback port; the CLI then reads what the provider's group grants.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CliSignInTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly ConsoleApp _app = new();
    private readonly string _configHome = Path.Combine(Path.GetTempPath(), "jitgate-browser-tests", "cli-" + Guid.NewGuid().ToString("n"));
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
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _provider.DisposeAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_configHome)) Directory.Delete(_configHome, recursive: true);
    }

    private Process Jitgate(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "jitgate.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("JITGATE_TOKEN");
        start.Environment["JITGATE_URL"] = _app.BaseAddress.ToString();
        start.Environment["XDG_CONFIG_HOME"] = _configHome;
        return Process.Start(start)!;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> FinishAsync(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Jitgate_login_signs_in_through_the_provider_in_the_browser_and_the_group_claim_gives_the_cli_access()
    {
        _provider.Add("dev", "dev@example.com", "Dev Eloper", "hr-readers");
        var page = await browser.NewPageAsync(_app.BaseAddress);
        using var login = Jitgate("login", "--no-browser");
        try
        {
            string? url = null;
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (url is null && await login.StandardError.ReadLineAsync(limit.Token) is { } line)
                {
                    if (line.StartsWith("To sign in, open ", StringComparison.Ordinal)) url = line["To sign in, open ".Length..];
                }
            }
            Assert.NotNull(url);

            // Not signed in to the console yet: the sign-in page, then the provider, then back to approve the CLI.
            await page.GotoAsync(url);
            await page.GetByTestId("login-oidc").ClickAsync();
            await page.Locator("#idp-username").FillAsync("dev");
            await page.Locator("#idp-password").FillAsync("provider-password-1");
            await page.Locator("#idp-submit").ClickAsync();
            await Expect(page.GetByTestId("cli-login-user")).ToHaveTextAsync("dev@example.com");
            await Pages.ShotAsync(page, "cli-01-approve-sign-in");
            await page.GetByTestId("cli-login-approve").ClickAsync();
            await Expect(page.Locator("body")).ToContainTextAsync("jitgate is signed in");
            Assert.StartsWith("http://127.0.0.1:", page.Url, StringComparison.Ordinal);

            var (exit, stdout, stderr) = await FinishAsync(login);
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains("as dev@example.com", stdout, StringComparison.Ordinal);
            var config = Path.Combine(_configHome, "jitgate", "config.json");
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
            var token = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(config))!["token"]!.GetValue<string>();
            Assert.DoesNotContain(token, stdout + stderr, StringComparison.Ordinal);

            // The provider's group, as JitGate names it, may read hr_prod: the CLI reads it with the token it saved.
            (await _admin.PostAsJsonAsync("/api/v1/workspace/bindings", new { principal = "user:dev@example.com", role = "projectDeveloper" })).EnsureSuccessStatusCode();
            (await _admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new
            {
                principal = "group:hr-readers@idp.jitgate.local", role = "sqlEditorUser", duration = "PT4H", scope = new { databases = new[] { "hr_prod" } },
            })).EnsureSuccessStatusCode();
            using var query = Jitgate("query", "hr_prod", "select emp_no from employee order by emp_no limit 2", "--format", "csv");
            var read = await FinishAsync(query);
            Assert.True(read.Exit == 0, $"exit {read.Exit}\n{read.Stdout}\n{read.Stderr}");
            Assert.StartsWith("emp_no\r\n", read.Stdout, StringComparison.Ordinal);
            using var denied = Jitgate("query", "hr_test", "select 1 from employee");
            Assert.Equal(3, (await FinishAsync(denied)).Exit);
        }
        catch
        {
            if (!login.HasExited) login.Kill(entireProcessTree: true);
            await Pages.ShotFailureAsync([page]);
            throw;
        }
    }
}
