using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace JitGate.Bench;

/// <summary>A JitGate server started as its own process on a loopback port, by default with a fresh data folder.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "admin-password";

    private readonly Process _process;
    private readonly bool _keepData;
    private readonly Queue<string> _errors = new();

    private ServerProcess(Process process, string dataDir, int port, bool keepData)
    {
        _process = process;
        _keepData = keepData;
        DataDir = dataDir;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public string DataDir { get; }
    public Uri BaseAddress { get; }
    public int Pid => _process.Id;

    /// <summary>
    /// Starts the server. <paramref name="dataDir"/> null: a fresh folder, deleted on dispose; otherwise that
    /// folder, kept. <paramref name="environment"/> adds configuration such as JitGate__SampleEmployees.
    /// </summary>
    public static ServerProcess Start(string? dataDir = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var keep = dataDir is not null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "jitgate-bench", Guid.NewGuid().ToString("n"));
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
        // Build output has no console files outside Development (only published output does): serve the API alone.
        info.Environment["JitGate__Console"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info)!;
        var started = new ServerProcess(process, dataDir, port, keep);
        process.OutputDataReceived += (_, e) => started.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => started.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>A client for the server with no token.</summary>
    public HttpClient NewClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>Waits until the first signup answers; the time it took is the cold start.</summary>
    public async Task<HttpClient> SignupAdminAsync(TimeSpan limit)
    {
        var client = NewClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var signup = await client.PostAsJsonAsync("/api/v1/auth/signup", new { email = AdminEmail, name = "Admin", password = AdminPassword });
                if (signup.StatusCode == HttpStatusCode.Created) break;
                throw new InvalidOperationException($"signup answered {(int)signup.StatusCode}: {await signup.Content.ReadAsStringAsync()}");
            }
            catch (HttpRequestException) when (deadline.Elapsed < limit)
            {
                ThrowIfExited();
                await Task.Delay(20);
            }
        }
        await AuthorizeAsync(client, AdminEmail, AdminPassword);
        return client;
    }

    /// <summary>Waits until the server answers, then signs in (for a restart on a data folder that has its admin).</summary>
    public async Task<HttpClient> LoginAsync(string email, string password, TimeSpan limit)
    {
        var client = NewClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await AuthorizeAsync(client, email, password);
                return client;
            }
            catch (HttpRequestException) when (deadline.Elapsed < limit)
            {
                ThrowIfExited();
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Signs <paramref name="client"/> in as <paramref name="email"/> and sets its bearer token.</summary>
    public static async Task AuthorizeAsync(HttpClient client, string email, string password)
    {
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        if (!login.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"login as {email} answered {(int)login.StatusCode}: {await login.Content.ReadAsStringAsync()}");
        }
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>A field of /proc/&lt;pid&gt;/status in bytes (VmRSS, VmHWM, ...).</summary>
    public long ReadStatusBytes(string field) => ProcStatus.ReadBytes(Pid, field);

    /// <summary>Resets the peak resident set (VmHWM) to the current one; false where the kernel refuses.</summary>
    public bool ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{Pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Stops the server the way a service manager would (SIGTERM), keeping the data folder.</summary>
    public async Task StopAsync(TimeSpan limit)
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_keepData) return;
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }

    private void Remember(string? line)
    {
        if (line is null) return;
        lock (_errors)
        {
            _errors.Enqueue(line);
            while (_errors.Count > 40) _errors.Dequeue();
        }
    }

    private void ThrowIfExited()
    {
        if (!_process.HasExited) return;
        string tail;
        lock (_errors) tail = string.Join('\n', _errors);
        throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before answering:\n{tail}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
