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

    [Fact]
    public async Task Logout_revokes_the_saved_token_and_forgets_it()
    {
        var token = (await (await server.SignedInAsync("dev@example.com")).PostOkAsync("/api/v1/me/tokens", new { name = "to log out" }))["token"]!.GetValue<string>();
        var cli = server.Cli(token: null);
        Exit(0, await cli.RunAsync(["login", "--with-token"], stdin: token + "\n"));
        var logout = await cli.RunAsync("logout");
        Exit(0, logout);
        Assert.Contains("Signed out of", logout.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(cli.ConfigHome, "jitgate", "config.json")));
        // Revoked at JitGate, not only forgotten here.
        Exit(3, await server.Cli(token).RunAsync("status"));
        Exit(3, await cli.RunAsync("status"));
        Exit(0, await cli.RunAsync("logout"));
        // A token from the environment is the caller's: logout neither uses nor revokes it.
        Exit(0, await server.Cli(server.DevToken).RunAsync("logout"));
        Exit(0, await server.Cli(server.DevToken).RunAsync("status"));
    }

    [Fact]
    public async Task A_saved_token_is_not_sent_to_another_address()
    {
        var cli = server.Cli(token: null);
        var login = await cli.RunAsync(["login", "--with-token", "--json"], stdin: server.DevToken + "\n");
        Exit(0, login);
        Assert.DoesNotContain(server.DevToken, login.Stdout + login.Stderr, StringComparison.Ordinal);

        // Something else listens on another loopback port; pointing jitgate there must not hand it the token.
        using var other = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var elsewhere = $"http://127.0.0.1:{((IPEndPoint)other.LocalEndpoint).Port}";
        var status = await cli.RunAsync("status", "--url", elsewhere);
        Exit(3, status);
        Assert.Contains($"Not signed in to {elsewhere}", status.Stderr, StringComparison.Ordinal);
        Assert.False(other.Pending(), "jitgate connected to an address its token was not saved for");
        var viaEnvironment = new CliProcess { Url = new Uri(elsewhere), ConfigHome = cli.ConfigHome };
        Exit(3, await viaEnvironment.RunAsync("status"));
        Assert.False(other.Pending(), "jitgate connected to an address its token was not saved for");

        // The address it was saved for, spelt with a trailing slash or not, still works.
        Exit(0, await cli.RunAsync("status", "--url", server.Server.Address.ToString().TrimEnd('/')));
    }

    [Fact]
    public async Task An_answer_that_is_not_jitgates_is_a_sentence_not_a_stack_trace()
    {
        using var impostor = new HttpListener();
        var port = FreePort();
        impostor.Prefixes.Add($"http://127.0.0.1:{port}/");
        impostor.Start();
        var serving = Task.Run(async () =>
        {
            while (impostor.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await impostor.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                var body = System.Text.Encoding.UTF8.GetBytes(context.Request.Url!.AbsolutePath.EndsWith("/databases", StringComparison.Ordinal) ? "[{\"id\": 7}]" : "<html>a portal</html>");
                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
        var cli = new CliProcess { Url = new Uri($"http://127.0.0.1:{port}/"), Token = "jg_anything" };
        foreach (var args in new[] { new[] { "status" }, ["query", "hr", "select 1"], ["end", "5"], ["status", "--json"] })
        {
            var result = await cli.RunAsync(args);
            Exit(1, result);
            Assert.Contains("jitgate: ", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
        }
        impostor.Stop();
        await serving;
    }

    [Fact]
    public async Task Bash_completion_completes_commands_options_and_values_from_the_parser()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/bash")) return;
        var bin = Path.Combine(Path.GetTempPath(), "jitgate-cli-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "jitgate");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{CliProcess.Dll}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        async Task<string[]> Complete(string line)
        {
            var start = new System.Diagnostics.ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("eval \"$(jitgate completion bash)\"; COMP_LINE=\"$1\"; COMP_POINT=${#1}; _jitgate_complete; printf '%s\\n' \"${COMPREPLY[@]}\"");
            start.ArgumentList.Add("bash");
            start.ArgumentList.Add(line);
            start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            using var bash = System.Diagnostics.Process.Start(start)!;
            var result = await CliProcess.WaitAsync(bash);
            Exit(0, result);
            return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        Assert.Equal(["reject", "request"], await Complete("jitgate re"));
        Assert.Equal(["csv", "json", "table"], await Complete("jitgate query hr_prod 'select 1' --format "));
        Assert.Contains("--reason", await Complete("jitgate request hr_prod --"));
        Directory.Delete(bin, recursive: true);
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
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
