using JitGate.Core;
using JitGate.Core.Features.Engines;
using Microsoft.Extensions.Options;

namespace JitGate.Server.Jobs;

/// <summary>
/// Keeps engine-side privileges in line with bindings: a full, forced pass first (at start-up, or when
/// this replica takes over the background work), so grants that ran out meanwhile are revoked first
/// thing; then every second a pass that touches only roles whose desired state changed, such as a
/// grant that just expired; and every <see cref="JitGateOptions.DriftCheckInterval"/> the full pass
/// again, which reads every role back from its engine and removes what no binding gives (drift).
/// </summary>
internal sealed class ReconcileJob(
    IServiceScopeFactory scopes, JobLeadership leadership, JitGateMetrics metrics, IOptions<JitGateOptions> options, TimeProvider clock, ILogger<ReconcileJob> logger)
    : LeaderJob(leadership, clock, logger)
{
    private static readonly TimeSpan LongestDriftInterval = TimeSpan.FromMinutes(1);
    private DateTimeOffset? _lastFullPass;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var every = options.Value.DriftCheckInterval is { } set && set > TimeSpan.Zero && set < LongestDriftInterval ? set : LongestDriftInterval;
        var full = _lastFullPass is not { } last || now - last >= every || now < last;
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReconcileEngineAccess>().HandleAsync(null, full, ct);
        if (full) _lastFullPass = now;
        metrics.ReconcilePassed(Clock.GetUtcNow());
    }
}
