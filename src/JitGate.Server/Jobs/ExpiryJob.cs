using JitGate.Core.Features.Bindings;

namespace JitGate.Server.Jobs;

/// <summary>
/// Every second, records bindings that ran out (and those about to) and stops their queries. Once a
/// second because a query still running on an expired grant must end promptly, and the lookup is indexed;
/// a start or expiry that falls between ticks wakes it at that instant.
/// </summary>
internal sealed class ExpiryJob(IServiceScopeFactory scopes, JobLeadership leadership, TimeProvider clock, ILogger<ExpiryJob> logger)
    : LeaderJob(leadership, clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var record = scope.ServiceProvider.GetRequiredService<RecordExpiries>();
        while (await record.HandleAsync(ct) > 0) { }
        // Windows that start, requests nobody decided, reviews that are due: on the same second's tick.
        var ticks = scope.ServiceProvider.GetRequiredService<JitGate.Core.Features.Lifecycle.LifecycleTicks>();
        while (await ticks.HandleAsync(ct) > 0) { }
    }

    // A window that starts or ends between ticks is recorded at its instant, not up to a second late.
    protected override async Task<DateTimeOffset?> DueBeforeNextTickAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NextAccessChange>().WithinAsync(Interval, ct);
    }
}
