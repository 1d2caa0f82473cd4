using JitGate.Core.Features.Bindings;

namespace JitGate.Server.Jobs;

/// <summary>Every few seconds (on the app's TimeProvider), records bindings that ran out and stops their queries.</summary>
internal sealed class ExpiryJob(IServiceScopeFactory scopes, JobLeadership leadership, TimeProvider clock, ILogger<ExpiryJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One-shot delays, not a PeriodicTimer: a clock that jumps ahead (a fake one in tests, or a
        // host waking from sleep) should cause one catch-up run, not one per missed period.
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
                while (await scope.ServiceProvider.GetRequiredService<RecordExpiries>().HandleAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Recording expired bindings failed; retrying on the next tick");
            }
            await Task.Delay(Interval, clock, stoppingToken);
        }
    }
}
