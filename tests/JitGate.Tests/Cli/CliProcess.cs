using System.Diagnostics;
using System.Text;

namespace JitGate.Tests.Cli;

/// <summary>What one run of jitgate did: its exit code and what it printed.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// Runs the built jitgate (the CLI project's output, copied beside the tests) as a process, as a person or
/// script would: its own environment (JITGATE_URL, JITGATE_TOKEN, a config folder of its own), stdin, exit code.
/// </summary>
public sealed class CliProcess
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "jitgate.dll");

    public required Uri Url { get; init; }
    public string? Token { get; init; }

    /// <summary>Where jitgate keeps its config (XDG_CONFIG_HOME), so a test never reads or writes the user's.</summary>
    public string ConfigHome { get; init; } = Path.Combine(Path.GetTempPath(), "jitgate-cli-tests", Guid.NewGuid().ToString("n"));

    /// <summary>A folder where each jitgate process writes the routes it called (JITGATE_TRACE_ROUTES).</summary>
    public string? TraceFolder { get; init; }

    public Dictionary<string, string> Environment { get; } = [];

    public Process Start(params string[] args) => Start(args, redirectInput: false);

    public Process Start(string[] args, bool redirectInput)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("JITGATE_URL");
        start.Environment.Remove("JITGATE_TOKEN");
        start.Environment["JITGATE_URL"] = Url.ToString();
        if (Token is not null) start.Environment["JITGATE_TOKEN"] = Token;
        start.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        start.Environment["JITGATE_POLL_MS"] = "200";
        if (TraceFolder is not null) start.Environment["JITGATE_TRACE_ROUTES"] = TraceFolder;
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        return Process.Start(start)!;
    }

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, stdin: null);

    public async Task<CliResult> RunAsync(string[] args, string? stdin, TimeSpan? timeout = null)
    {
        using var process = Start(args, redirectInput: stdin is not null);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        return await WaitAsync(process, timeout);
    }

    public static async Task<CliResult> WaitAsync(Process process, TimeSpan? timeout = null)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"jitgate did not finish:\n{await stdout}\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
