using JitGate.Core.Features.Engines;

namespace JitGate.Server.Jobs;

/// <summary>
/// Keeps engine-side privileges in line with bindings: a full, forced pass at start-up (so grants
/// that ran out while JitGate was down are revoked first thing), then every second a pass that
/// touches only roles whose desired state changed, such as a grant that just expired.
/// </summary>
internal sealed class ReconcileJob(IServiceScopeFactory scopes, JobLeadership leadership, JitGate.Core.JitGateMetrics metrics, TimeProvider clock, ILogger<ReconcileJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var force = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await leadership.IsLeaderAsync(stoppingToken))
                {
                    await Task.Delay(Interval, clock, stoppingToken);
                    continue;
                }
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ReconcilePostgresAccess>().HandleAsync(null, force, stoppingToken);
                force = false;
                metrics.ReconcilePassed(clock.GetUtcNow());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Reconciling engine privileges failed; retrying on the next tick");
            }
            await Task.Delay(Interval, clock, stoppingToken);
        }
    }
}
