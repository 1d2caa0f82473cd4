namespace JitGate.Tests.Infrastructure;

/// <summary>
/// Tests that read exact values from /metrics. Meters are matched by name across the process, so every
/// server the tests host at the same time feeds every other server's /metrics, and gauges with the same
/// tags (sink "1" exists in every workspace) overwrite each other. In production one process hosts one
/// server; here the collection runs by itself, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneInProcess
{
    public const string Name = "Alone in the process";
}
