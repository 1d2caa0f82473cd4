using System.Diagnostics;

namespace JitGate.Tests.Infrastructure;

/// <summary>
/// The npm command-line tools some tests check JitGate against (Redocly CLI, openapi-typescript,
/// TypeScript). test.sh installs them into a cache folder outside the repository; JITGATE_TOOLS names
/// another folder.
/// </summary>
public static class NodeTools
{
    public static string Folder { get; } = Environment.GetEnvironmentVariable("JITGATE_TOOLS") is { Length: > 0 } set
        ? set
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "jitgate-tools");

    /// <summary>Runs a tool from the cache folder and returns its exit code and output; fails the test plainly when the tool is not installed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, string workingDirectory, params string[] arguments)
    {
        var path = Path.Combine(Folder, "node_modules", ".bin", tool);
        Assert.True(File.Exists(path),
            $"{tool} is not installed in {Folder}: run ./test.sh once (it installs @redocly/cli, openapi-typescript and typescript there), or set JITGATE_TOOLS.");
        var start = new ProcessStartInfo(path) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
