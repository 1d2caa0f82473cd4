using JitGate.Core;
using JitGate.Core.Features.Engines;

namespace JitGate.Server.Jobs;

/// <summary>
/// Keeps engine-side privileges in line with bindings: a full, forced pass first (at start-up, or when
/// this replica takes over the background work), so grants that ran out meanwhile are revoked first
/// thing; then every second a pass that touches only roles whose desired state changed, such as a
/// grant that just expired.
/// </summary>
internal sealed class ReconcileJob(IServiceScopeFactory scopes, JobLeadership leadership, JitGateMetrics metrics, TimeProvider clock, ILogger<ReconcileJob> logger)
    : LeaderJob(leadership, clock, logger)
{
    private bool _force = true;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReconcilePostgresAccess>().HandleAsync(null, _force, ct);
        _force = false;
        metrics.ReconcilePassed(Clock.GetUtcNow());
    }
}
