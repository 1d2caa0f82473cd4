using System.Diagnostics;

namespace JitGate.Bench;

/// <summary>From starting the server process on a fresh data folder to the first answered signup.</summary>
internal static class ColdStartSuite
{
    public static async Task RunAsync(int runs)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await using var server = ServerProcess.Start();
            using var client = await server.SignupAdminAsync(TimeSpan.FromSeconds(120));
            times.Add(sw.Elapsed.TotalSeconds);
            Console.WriteLine($"run {i + 1}: {sw.Elapsed.TotalSeconds:0.00} s");
        }
        times.Sort();
        Console.WriteLine($"cold start to first answer: median {times[times.Count / 2]:0.00} s over {runs} runs");
    }
}
