namespace JitGate.Bench;

internal static class Stats
{
    public static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    public static string Describe(string name, List<double> microseconds)
    {
        microseconds.Sort();
        return $"{name,-34} median {Percentile(microseconds, 0.5),9:0.0} µs   p99 {Percentile(microseconds, 0.99),9:0.0} µs   n={microseconds.Count}";
    }
}
