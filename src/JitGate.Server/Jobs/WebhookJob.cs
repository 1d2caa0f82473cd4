using JitGate.Core.Features.Webhooks;

namespace JitGate.Server.Jobs;

/// <summary>Every second, fans new events out to webhooks and sends what is due.</summary>
internal sealed class WebhookJob(IServiceScopeFactory scopes, JobLeadership leadership, TimeProvider clock, ILogger<WebhookJob> logger)
    : LeaderJob(leadership, clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<WebhookDispatcher>();
        while (await dispatcher.FanOutAsync(ct) > 0) { }
        await dispatcher.DeliverDueAsync(ct);
    }
}
