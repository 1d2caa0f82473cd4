using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace JitGate.Bench;

/// <summary>A JitGate server started as its own process on a loopback port with a fresh data folder.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, string dataDir, int port)
    {
        _process = process;
        DataDir = dataDir;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public string DataDir { get; }
    public Uri BaseAddress { get; }

    public static ServerProcess Start()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "jitgate-bench", Guid.NewGuid().ToString("n"));
        var port = FreePort();
        var server = Path.Combine(AppContext.BaseDirectory, "JitGate.Server.dll");
        var info = new ProcessStartInfo("dotnet", [server, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(server)!,
        };
        info.Environment["JitGate__DataDir"] = dataDir;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(process, dataDir, port);
    }

    /// <summary>Waits until the first signup answers; the time it took is the cold start.</summary>
    public async Task<HttpClient> SignupAdminAsync(TimeSpan limit)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var signup = await client.PostAsJsonAsync("/api/v1/auth/signup", new { email = "admin@example.com", name = "Admin", password = "admin-password" });
                if (signup.StatusCode == HttpStatusCode.Created) break;
            }
            catch (HttpRequestException) when (deadline.Elapsed < limit)
            {
                await Task.Delay(20);
            }
        }
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "admin@example.com", password = "admin-password" });
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
