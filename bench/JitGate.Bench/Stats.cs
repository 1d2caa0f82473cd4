using System.Globalization;

namespace JitGate.Bench;

internal static class Stats
{
    public static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1))];

    public static string Describe(string name, List<double> microseconds)
    {
        microseconds.Sort();
        return string.Create(CultureInfo.InvariantCulture,
            $"{name,-34} median {Percentile(microseconds, 0.5),9:0.0} µs   p99 {Percentile(microseconds, 0.99),9:0.0} µs   n={microseconds.Count}");
    }

    public static string Ms(double microseconds) => string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000:0.000}");
}

/// <summary>What one load run measured: latencies in microseconds (sorted) and operations per second.</summary>
internal sealed record LoadResult(string Name, int Clients, List<double> Latencies, TimeSpan Elapsed, bool TimeBoundHit)
{
    public double Median => Stats.Percentile(Latencies, 0.5);
    public double P95 => Stats.Percentile(Latencies, 0.95);
    public double P99 => Stats.Percentile(Latencies, 0.99);
    public double Throughput => Latencies.Count / Elapsed.TotalSeconds;

    public static string Header(string what = "target") =>
        $"{what,-42} {"clients",7} {"n",7} {"median ms",10} {"p95 ms",9} {"p99 ms",9} {"ops/s",9}";

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-42} {Clients,7} {Latencies.Count,7} {Median / 1000,10:0.000} {P95 / 1000,9:0.000} {P99 / 1000,9:0.000} {Throughput,9:0}{(TimeBoundHit ? "  (time bound hit)" : "")}");
}

/// <summary>
/// A closed-loop load driver: <c>clients</c> workers each run the operation back to back until the fixed
/// request count is used up or the time bound passes, whichever comes first. Warm-up calls are not counted.
/// </summary>
internal static class LoadDriver
{
    /// <summary>
    /// Warm-up lasts at least this long as well as <c>warmup</c> calls: the JIT promotes hot methods to
    /// optimized code only after they have run for a while, and a long-running server runs optimized code.
    /// </summary>
    public static TimeSpan MinimumWarmup { get; set; } = TimeSpan.Zero;

    public static async Task<LoadResult> RunAsync(string name, int clients, int requests, TimeSpan limit, int warmup, Func<int, Task> operation)
    {
        var warmupIssued = -1;
        var warmupClock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, MinimumWarmup > TimeSpan.Zero ? clients : Math.Min(clients, warmup))).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref warmupIssued)) < warmup || warmupClock.Elapsed < MinimumWarmup) await operation(-1 - i);
        })));

        var issued = -1;
        var timeBoundHit = false;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>();
            int i;
            while ((i = Interlocked.Increment(ref issued)) < requests)
            {
                if (clock.Elapsed > limit)
                {
                    timeBoundHit = true;
                    break;
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await operation(i);
                latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
            return latencies;
        })));
        var elapsed = clock.Elapsed;
        var all = perClient.SelectMany(l => l).ToList();
        all.Sort();
        return new LoadResult(name, clients, all, elapsed, timeBoundHit);
    }

    /// <summary>Sequential calls of a synchronous operation on this thread (the direct driver at one client).</summary>
    public static Task<LoadResult> RunSync(string name, int clients, int requests, TimeSpan limit, int warmup, Action<int> operation) =>
        RunAsync(name, clients, requests, limit, warmup, i =>
        {
            operation(i);
            return Task.CompletedTask;
        });
}
