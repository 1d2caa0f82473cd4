using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace JitGate.Cli.Commands;

/// <summary>
/// <c>jitgate login</c>: through the browser as native apps sign in by OAuth 2.0 (RFC 8252): the CLI listens on
/// a loopback port, the console asks the signed-in user to approve, the browser brings a code back, and the CLI
/// redeems it with its PKCE verifier (RFC 7636, S256) for a personal token. <c>--with-token</c> reads a personal
/// token from stdin instead. Either way the address and token are saved for later commands.
/// </summary>
internal static class LoginCommand
{
    private static readonly TimeSpan WaitForBrowser = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var withToken = new Option<bool>("--with-token") { Description = "Read a personal token from stdin instead of signing in through the browser" };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Print the sign-in address instead of opening a browser" };
        var command = new Command("login", "Sign in: through the browser (a loopback redirect), or with a personal token") { withToken, noBrowser };
        Common.Run(command, async (parse, api, ct) =>
        {
            string token;
            if (parse.GetValue(withToken))
            {
                token = (await Console.In.ReadLineAsync(ct))?.Trim() ?? "";
                if (token.Length == 0) throw new CliException(ExitCodes.Usage, "No token on stdin: echo $TOKEN | jitgate login --with-token");
            }
            else
            {
                token = await BrowserAsync(api, parse.GetValue(noBrowser), ct);
            }
            using var signedIn = new ApiClient(api.BaseAddress.ToString(), token);
            var me = (await signedIn.GetAsync(Route.Me, null, null, ct))!;
            Settings.Save(api.BaseAddress.ToString().TrimEnd('/'), token);
            if (parse.GetValue(Common.Json)) Output.Json(new JsonObject { ["url"] = api.BaseAddress.ToString().TrimEnd('/'), ["user"] = me.DeepClone() });
            else Output.Line($"Signed in to {api.BaseAddress.ToString().TrimEnd('/')} as {me["email"]}.");
            return ExitCodes.Ok;
        }, needsToken: false);
        return command;
    }

    private static async Task<string> BrowserAsync(ApiClient api, bool noBrowser, CancellationToken ct)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url(RandomNumberGenerator.GetBytes(16));
        var port = FreePort();
        using var listener = new HttpListener();
        // RFC 8252, section 7.3: the loopback IP literal, on a port of the CLI's choosing.
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var url = new Uri(api.BaseAddress, $"cli/login?port={port}&state={state}&code_challenge={challenge}&code_challenge_method=S256&name={Uri.EscapeDataString(Environment.MachineName)}");
        Output.Note($"To sign in, open {url}");
        if (!noBrowser) OpenBrowser(url);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(WaitForBrowser);
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Failed, "Nobody approved the sign-in within 5 minutes; run jitgate login again.");
            }
            var query = System.Web.HttpUtility.ParseQueryString(context.Request.Url?.Query ?? "");
            if (context.Request.Url?.AbsolutePath != "/callback" || query["state"] != state || query["code"] is not { Length: > 0 } code)
            {
                // Something else knocked (a favicon, another tab): not ours; keep waiting.
                await RespondAsync(context, 400, "This is not the sign-in jitgate login is waiting for.");
                continue;
            }
            try
            {
                var answer = await api.SendAsync(Route.CliToken, null, null, new { code, codeVerifier = verifier }, ct);
                await RespondAsync(context, 200, "jitgate is signed in. You can close this window.");
                return answer!["token"]!.GetValue<string>();
            }
            catch (CliException e)
            {
                await RespondAsync(context, 400, "jitgate could not sign in: " + e.Message);
                throw;
            }
        }
    }

    private static async Task RespondAsync(HttpListenerContext context, int status, string message)
    {
        var body = Encoding.UTF8.GetBytes($"<!DOCTYPE html><html><head><title>jitgate</title></head><body><p>{WebUtility.HtmlEncode(message)}</p></body></html>");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }

    private static void OpenBrowser(Uri url)
    {
        try
        {
            var (program, arguments) = OperatingSystem.IsWindows() ? ("cmd", new[] { "/c", "start", "", url.ToString() })
                : OperatingSystem.IsMacOS() ? ("open", new[] { url.ToString() }) : ("xdg-open", new[] { url.ToString() });
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No browser opener here (a server over SSH): the address printed above is the way.
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
