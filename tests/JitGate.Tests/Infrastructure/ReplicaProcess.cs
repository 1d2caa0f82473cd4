using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace JitGate.Tests.Infrastructure;

/// <summary>A JitGate server in its own OS process on a loopback port: one replica of several sharing a metadata store.</summary>
public sealed class ReplicaProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private ReplicaProcess(string name, Process process, Uri address)
    {
        Name = name;
        _process = process;
        Address = address;
    }

    public string Name { get; }
    public Uri Address { get; }
    public bool HasExited => _process.HasExited;
    public string Log { get { lock (_log) return string.Join('\n', _log.TakeLast(60)); } }

    /// <summary>Starts a server process; <paramref name="metadata"/> null keeps the SQLite store in <paramref name="dataDir"/>.</summary>
    public static async Task<ReplicaProcess> StartAsync(string name, string? metadata, string dataDir, IReadOnlyDictionary<string, string>? environment = null, string[]? launcher = null)
    {
        var port = FreePort();
        var server = Path.Combine(AppContext.BaseDirectory, "JitGate.Server.dll");
        string[] command = [.. launcher ?? [], "dotnet", server, "--urls", $"http://127.0.0.1:{port}"];
        var info = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (metadata is not null) info.Environment["ConnectionStrings__Metadata"] = metadata + $";Application Name={name}";
        info.Environment["JitGate__DataDir"] = dataDir;
        info.Environment["JitGate__LoginAttemptsPerMinute"] = "10000";
        info.Environment["JitGate__WebhooksToPrivateNetworks"] = "true";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Build output has no console files outside Development (only published output does): serve the API alone.
        info.Environment["JitGate__Console"] = "false";
        // The test's own settings win over the defaults above.
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var replica = new ReplicaProcess(name, Process.Start(info)!, new Uri($"http://127.0.0.1:{port}"));
        replica._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (replica._log) replica._log.Add(e.Data); };
        replica._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (replica._log) replica._log.Add(e.Data); };
        replica._process.BeginOutputReadLine();
        replica._process.BeginErrorReadLine();
        await replica.WaitReadyAsync();
        return replica;
    }

    public HttpClient Client() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    private async Task WaitReadyAsync()
    {
        using var client = Client();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(180))
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited at start:\n{Log}");
            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} did not become ready:\n{Log}");
    }

    /// <summary>kill -9: no shutdown, no cleanup, connections dropped by the kernel.</summary>
    public void Kill()
    {
        Process.Start("kill", ["-9", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        _process.WaitForExit();
    }

    /// <summary>Errors the process logged (the console logger's "fail:" and "crit:" lines, with what follows them).</summary>
    public List<string> LoggedErrors
    {
        get
        {
            lock (_log)
            {
                return _log.Select((line, i) => (line, i))
                    .Where(x => x.line.StartsWith("fail: ", StringComparison.Ordinal) || x.line.StartsWith("crit: ", StringComparison.Ordinal))
                    .Select(x => string.Join('\n', _log.Skip(x.i).Take(4))).ToList();
            }
        }
    }

    /// <summary>Errors a test provokes on purpose, matched by their text; any other fails the test at dispose.</summary>
    public List<string> ExpectedErrors { get; } = [];

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        var unexpected = LoggedErrors.Where(e => !ExpectedErrors.Any(x => e.Contains(x, StringComparison.Ordinal))).ToList();
        if (unexpected.Count > 0)
        {
            throw new InvalidOperationException($"{Name} logged {unexpected.Count} error(s):\n{string.Join("\n---\n", unexpected.Take(5))}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
