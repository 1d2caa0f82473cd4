using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JitGate.BrowserTests.Infrastructure;

/// <summary>
/// JitGate as DEPLOY.md runs it: the output of <c>dotnet publish</c>, started with <c>dotnet JitGate.Server.dll</c>
/// in the Production environment, as its own process. The publish happens once per test run.
/// </summary>
public sealed class PublishedServer : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PublishedServer(Process process, Uri address, string dataDir)
    {
        _process = process;
        Address = address;
        DataDir = dataDir;
    }

    public Uri Address { get; }
    public string DataDir { get; }

    /// <summary>What the process wrote, for a failure message.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The repository's root, found from the test's own folder.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "JitGate.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("JitGate.slnx not found above " + AppContext.BaseDirectory);
    }

    // --no-build: the test run built the server already; publishing adds the console's files to that output.
    private static async Task<string> PublishAsync()
    {
        var output = Path.Combine(Path.GetTempPath(), "jitgate-browser-tests", "published-" + Guid.NewGuid().ToString("n"));
        var (code, text) = await RunAsync("dotnet", ["publish", Path.Combine(RepositoryRoot(), "src", "JitGate.Server"), "-c", "Release", "--no-build", "-o", output, "-nologo", "-v", "q"]);
        if (code != 0) throw new InvalidOperationException($"dotnet publish failed ({code}):\n{text}");
        return output;
    }

    /// <summary>Starts the published server in Production on a free loopback port and waits until it answers.</summary>
    public static async Task<PublishedServer> StartAsync()
    {
        var folder = await Published.Value;
        return await StartAsync(Path.Combine(folder, "JitGate.Server.dll"));
    }

    /// <summary>Starts a server from <paramref name="dll"/> in Production; without <paramref name="waitReady"/>, for one expected to refuse (see <see cref="WaitForExitAsync"/>).</summary>
    public static async Task<PublishedServer> StartAsync(string dll, bool waitReady = true)
    {
        var port = FreePort();
        var dataDir = Path.Combine(Path.GetTempPath(), "jitgate-browser-tests", Guid.NewGuid().ToString("n"));
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["JitGate__DataDir"] = dataDir;
        info.Environment["JitGate__SampleEmployees"] = "50";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var server = new PublishedServer(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}"), dataDir);
        server._process.OutputDataReceived += (_, e) => server.Remember(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Remember(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        if (waitReady) await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Waits for the process to end by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    private void Remember(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The published server exited ({_process.ExitCode}):\n{Output}");
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting up.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The published server did not become ready:\n{Output}");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up with the temp folder, or never made by a server that refused to start.
        }
    }
}
