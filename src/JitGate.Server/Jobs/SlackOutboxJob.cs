using JitGate.Core.Features.Slack;

namespace JitGate.Server.Jobs;

/// <summary>
/// Posts what JitGate owes Slack: at once when a command or click stored something (woken by
/// <see cref="SlackOutboxSignal"/>), otherwise every second for retries and other replicas' messages.
/// </summary>
internal sealed class SlackOutboxJob(IServiceScopeFactory scopes, SlackOutboxSignal signal, JobLeadership leadership, TimeProvider clock, ILogger<SlackOutboxJob> logger)
    : LeaderJob(leadership, clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sender = scope.ServiceProvider.GetRequiredService<SlackOutboxSender>();
        while (await sender.DeliverDueAsync(ct) > 0 && !ct.IsCancellationRequested) { }
    }

    protected override Task WaitForNextPassAsync(TimeSpan wait, CancellationToken ct) => signal.WaitAsync(wait, Clock, ct);
}
