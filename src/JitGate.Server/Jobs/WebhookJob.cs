using JitGate.Core.Features.Webhooks;

namespace JitGate.Server.Jobs;

/// <summary>Every second (on the app's TimeProvider), fans new events out to webhooks and sends what is due.</summary>
internal sealed class WebhookJob(IServiceScopeFactory scopes, JobLeadership leadership, TimeProvider clock, ILogger<WebhookJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

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
                var dispatcher = scope.ServiceProvider.GetRequiredService<WebhookDispatcher>();
                while (await dispatcher.FanOutAsync(stoppingToken) > 0) { }
                await dispatcher.DeliverDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Webhook delivery failed; retrying on the next tick");
            }
            await Task.Delay(Interval, clock, stoppingToken);
        }
    }
}
