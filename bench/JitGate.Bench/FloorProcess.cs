using System.Diagnostics;

namespace JitGate.Bench;

/// <summary>
/// The SQLite floor served from a process of its own, as JitGate is: the in-process floor shares the
/// load driver's process and thread pool, which JitGate does not. Started as
/// <c>dotnet JitGate.Bench.dll floor-serve &lt;path&gt;</c> with server GC and default thread-pool
/// settings, like the JitGate server; it stops when its standard input closes.
/// </summary>
internal sealed class FloorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private FloorProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<FloorProcess> StartSqliteAsync(string path)
    {
        var bench = Path.Combine(AppContext.BaseDirectory, "JitGate.Bench.dll");
        var info = new ProcessStartInfo("dotnet", [bench, "floor-serve", path])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the floor process said '{line}' instead of its address");
        }
        return new FloorProcess(process, new Uri(line["listening ".Length..]));
    }

    /// <summary>The floor-serve suite: serves until standard input closes.</summary>
    public static async Task ServeSqliteAsync(string path)
    {
        await using var floor = await FloorServer.StartAsync((q, _) => ValueTask.FromResult(DirectDriver.Sqlite(path, q.Statement!, q.MaxRows ?? 1000)));
        Console.WriteLine($"listening {floor.BaseAddress}");
        await Console.In.ReadToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
