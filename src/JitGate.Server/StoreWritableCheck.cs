using JitGate.Core;
using JitGate.Core.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace JitGate.Server;

/// <summary>
/// Readiness fails while JitGate cannot write: a write to the store failed moments ago, or a small file
/// cannot be written and synced to the data folder (which holds the SQLite store and the key ring). A
/// replica that cannot record an audit record must not take requests that need one.
/// </summary>
internal sealed class StoreWritableCheck(StoreHealth health, IOptions<JitGateOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Named per probe: replicas share the data folder, and probes may overlap.
        var probe = Path.Combine(Path.GetFullPath(options.Value.DataDir), $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():n}");
        try
        {
            await using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                await file.WriteAsync(new byte[4096], cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = StoreHealth.Unwritable(e) ?? e.Message;
            health.Failed(reason);
            return HealthCheckResult.Unhealthy($"The data folder cannot be written: {reason}.");
        }

        if (health.RecentlyFailed) return HealthCheckResult.Unhealthy($"A write to the store failed moments ago: {health.LastFailure}.");
        health.Recovered();
        return HealthCheckResult.Healthy();
    }
}
