using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JitGate.Tests.Infrastructure;

namespace JitGate.Tests.Cli;

/// <summary>
/// jitgate login (through the browser's loopback redirect, or a personal token on stdin), usage errors, and the
/// CLI's route table held to the server's OpenAPI document.
/// </summary>
public sealed partial class CliLoginTests(CliServer server) : IClassFixture<CliServer>
{
    private static void Exit(int expected, CliResult result) => Assert.True(result.ExitCode == expected, $"expected exit {expected}: {result}");

    [Fact]
    public async Task Every_route_the_cli_can_call_is_in_the_openapi_document()
    {
        var documented = await server.OpenApiRoutesAsync();
        var missing = JitGate.Cli.Route.All.Select(r => CliServer.Normalize(r.Method.Method, r.Template)).Where(r => !documented.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "The CLI calls routes the OpenAPI document lacks: " + string.Join(", ", missing));
        // The comparison itself can fail: a route the server does not have is caught.
        Assert.DoesNotContain(CliServer.Normalize("GET", "/api/v1/me/nothing-here"), documented);
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_no_sign_in_exits_3()
    {
        var cli = server.Cli(token: null);
        Exit(2, await cli.RunAsync("request", "hr_prod"));
        Exit(2, await cli.RunAsync("request", "hr_prod", "--for", "4 fortnights", "--reason", "x"));
        Exit(2, await cli.RunAsync("query", "hr_prod", "select 1", "--format", "xml"));
        Exit(2, await cli.RunAsync("frobnicate"));
        var notSignedIn = await cli.RunAsync("status", "--json");
        Exit(3, notSignedIn);
        Assert.Contains("jitgate login", JsonNode.Parse(notSignedIn.Stdout)!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Exit(3, await server.Cli("jg_not-a-real-token").RunAsync("status"));
        Exit(0, await cli.RunAsync("--help"));
        Assert.Contains("complete -F _jitgate_complete jitgate", (await cli.RunAsync("completion", "bash")).Stdout.Replace("-o default ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_with_a_personal_token_on_stdin_saves_it_for_later_commands()
    {
        var cli = server.Cli(token: null);
        var login = await cli.RunAsync(["login", "--with-token"], stdin: server.DevToken + "\n");
        Exit(0, login);
        Assert.Contains("as dev@example.com", login.Stdout, StringComparison.Ordinal);
        var config = Path.Combine(cli.ConfigHome, "jitgate", "config.json");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        Exit(0, await cli.RunAsync("status"));
        Exit(3, await cli.RunAsync(["login", "--with-token"], stdin: "jg_wrong\n"));
    }

    [Fact]
    public async Task Login_through_the_browser_approves_on_the_console_and_brings_a_code_to_the_loopback_port()
    {
        var cli = server.Cli(token: null);
        using var login = cli.Start("login", "--no-browser");
        var url = await ReadSignInUrlAsync(login);

        // The browser: signed in to the console as dev, it opens the address, approves, and follows the redirect to the CLI.
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = server.Server.Address };
        var form = await browser.GetStringAsync("/login");
        (await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "dev@example.com", ["password"] = "user-password-1", ["__RequestVerificationToken"] = Antiforgery(form),
        }))).EnsureSuccessStatusCode();
        var page = await browser.GetStringAsync(url);
        Assert.Contains("dev@example.com", page, StringComparison.Ordinal);
        var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["__RequestVerificationToken"] = Antiforgery(page);
        var done = await browser.PostAsync("/account/cli/approve", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("jitgate is signed in", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var result = await CliProcess.WaitAsync(login);
        Exit(0, result);
        Assert.Contains("as dev@example.com", result.Stdout, StringComparison.Ordinal);
        Exit(0, await cli.RunAsync("status"));
        var tokens = (await (await server.SignedInAsync("dev@example.com")).GetOkAsync("/api/v1/me/tokens")).AsArray();
        Assert.Contains(tokens, t => t!["name"]!.GetValue<string>().StartsWith("jitgate CLI on ", StringComparison.Ordinal));

        // The code is the CLI's alone: without its verifier it is refused, as is a made-up one.
        var code = System.Web.HttpUtility.ParseQueryString(done.RequestMessage!.RequestUri!.Query)["code"]!;
        using var anyone = server.Server.Client();
        foreach (var verifier in new[] { new string('a', 43), new string('b', 64) })
        {
            await Api.ProblemAsync(await anyone.PostAsJsonAsync("/api/v1/auth/cli/token", new { code, codeVerifier = verifier }), HttpStatusCode.BadRequest, "invalid-code");
        }
        await Api.ProblemAsync(await anyone.PostAsJsonAsync("/api/v1/auth/cli/token", new { code = "made-up", codeVerifier = new string('a', 43) }), HttpStatusCode.BadRequest, "invalid-code");
    }

    private static async Task<string> ReadSignInUrlAsync(System.Diagnostics.Process login)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await login.StandardError.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("To sign in, open ", StringComparison.Ordinal)) return line["To sign in, open ".Length..];
        }
        throw new InvalidOperationException("jitgate login printed no address: " + await login.StandardOutput.ReadToEndAsync());
    }

    private static string Antiforgery(string page) => WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);

    [GeneratedRegex("__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenField();
}
