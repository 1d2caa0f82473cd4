using System.Diagnostics;
using System.Globalization;

namespace JitGate.Bench;

/// <summary>
/// From starting the server process on a fresh data folder to the first answered signup; then the
/// server's idle memory: VmRSS after that signup and <c>idle</c> seconds of nothing.
/// </summary>
internal static class ColdStartSuite
{
    public static async Task RunAsync(int runs, TimeSpan idle)
    {
        Machine.Print();
        var times = new List<double>();
        var resident = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await using var server = ServerProcess.Start();
            using var client = await server.SignupAdminAsync(TimeSpan.FromSeconds(120));
            times.Add(sw.Elapsed.TotalSeconds);
            await Task.Delay(idle);
            var rss = server.ReadStatusBytes("VmRSS");
            resident.Add(rss / (1024.0 * 1024));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {i + 1}: cold start {times[^1]:0.00} s; idle VmRSS {ProcStatus.Mib(rss)} after signup + {idle.TotalSeconds:0} s (peak so far {ProcStatus.Mib(server.ReadStatusBytes("VmHWM"))})"));
        }
        times.Sort();
        resident.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold start to first answer: median {times[times.Count / 2]:0.00} s over {runs} runs"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle memory (VmRSS): median {resident[resident.Count / 2]:0.0} MiB over {runs} runs"));
    }
}
